import Foundation

/// The JSON shapes Qlik's REST API returns, field for field (qlik-api-ts).
struct UserView: Encodable, Sendable {
    struct Role: Encodable, Sendable {
        let id: String
        let name: String
        let type: String
        let level: String

        /// Qlik's default roles the sandbox assigns, with the level each grants (the ids are the sandbox's own).
        static let defaults: [String: Role] = Dictionary(uniqueKeysWithValues: [
            ("TenantAdmin", "608050f7634644db3678b1a2", "admin"), ("AnalyticsAdmin", "608050f7634644db3678b1a3", "admin"),
            ("DataAdmin", "608050f7634644db3678b1a4", "admin"), ("Developer", "608050f7634644db3678b1a5", "user"),
            ("SharedSpaceCreator", "608050f7634644db3678b1a6", "user"), ("ManagedSpaceCreator", "608050f7634644db3678b1a7", "user"),
            ("DataSpaceCreator", "608050f7634644db3678b1a8", "user"), ("PrivateAnalyticsContentCreator", "608050f7634644db3678b1a9", "user"),
        ].map { ($0.0, Role(id: $0.1, name: $0.0, type: "default", level: $0.2)) })
    }
    struct Links: Encodable, Sendable { let `self`: Link }

    let id: String
    let tenantId: String
    let subject: String
    let name: String
    let email: String
    let status: String
    let assignedRoles: [Role]
    let assignedScopes: [String]
    let assignedGroups: [String]
    let createdAt: Date
    let lastUpdatedAt: Date
    let locale: String
    let links: Links

    init(_ user: SandboxUser, tenantID: String, origin: String) {
        id = user.id
        tenantId = tenantID
        subject = user.subject
        name = user.name
        email = user.email
        status = user.status
        assignedRoles = Self.roles(of: user)
        assignedScopes = []
        assignedGroups = []
        createdAt = user.createdAt
        lastUpdatedAt = user.createdAt
        locale = "en"
        links = Links(self: Link(href: "\(origin)/api/v1/users/\(user.id)"))
    }

    static func roles(of user: SandboxUser) -> [Role] {
        // Users of a tenant saved before users had roles were all administrators.
        (user.roles ?? ["TenantAdmin"]).compactMap { Role.defaults[$0] }
    }

    /// `Users`: a page of users, with the total when asked for.
    struct Page: Encodable, Sendable {
        let data: [UserView]
        let links: PageLinks
        let totalResults: Int?
    }
}

struct SpaceView: Encodable, Sendable {
    struct Meta: Encodable, Sendable {
        let actions: [String]
        let roles: [String]
        let assignableRoles: [String]
    }
    struct Links: Encodable, Sendable {
        let `self`: Link
        let assignments: Link
    }

    let id: String
    let name: String
    let type: String
    let description: String
    let ownerId: String
    let tenantId: String
    let createdAt: Date
    let createdBy: String
    let updatedAt: Date
    let meta: Meta
    let links: Links

    init(_ space: Space, tenantID: String, origin: String) {
        id = space.id
        name = space.name
        type = space.type
        description = space.description
        ownerId = space.ownerID
        tenantId = tenantID
        createdAt = space.createdAt
        createdBy = space.ownerID
        updatedAt = space.updatedAt
        meta = Meta(actions: ["create", "delete", "read", "update"], roles: [], assignableRoles: Tenant.assignableRoles(spaceType: space.type))
        links = Links(self: Link(href: "\(origin)/api/v1/spaces/\(space.id)"), assignments: Link(href: "\(origin)/api/v1/spaces/\(space.id)/assignments"))
    }
}

struct AppAttributesView: Encodable, Sendable {
    let id: String
    let name: String
    let description: String
    let owner: String
    let ownerId: String
    let createdDate: Date
    let modifiedDate: Date
    let lastReloadTime: String
    let published: Bool
    let spaceId: String?
    let encrypted: Bool
    let hasSectionAccess: Bool
    let isDirectQueryMode: Bool
    let usage: String

    init(_ app: SandboxApp) {
        id = app.id
        name = app.name
        description = app.description
        owner = app.ownerID
        ownerId = app.ownerID
        createdDate = app.createdAt
        modifiedDate = app.updatedAt
        lastReloadTime = app.lastReloadTime.map(JSONResponse.timestamp) ?? ""
        published = false
        spaceId = app.spaceID
        encrypted = false
        hasSectionAccess = false
        isDirectQueryMode = false
        usage = "ANALYTICS"
    }
}

/// `NxApp`: the app's attributes and privileges.
struct AppView: Encodable, Sendable {
    let attributes: AppAttributesView
    let privileges: [String]

    init(_ app: SandboxApp) {
        attributes = AppAttributesView(app)
        privileges = ["read", "update", "delete", "reload", "export", "duplicate"]
    }
}

struct ItemView: Encodable, Sendable {
    struct Meta: Encodable, Sendable {
        let actions: [String]
        let collections: [String]
        let isFavorited: Bool
        let tags: [String]
    }
    struct Links: Encodable, Sendable {
        let `self`: Link
        let open: Link
    }
    struct Attributes: Encodable, Sendable {
        let id: String
        let name: String
        let description: String
        let createdDate: Date
        let modifiedDate: Date
        let owner: String
        let lastReloadTime: String
        let spaceId: String?
    }

    let id: String
    let name: String
    let description: String
    let resourceType: String
    let resourceId: String
    let resourceSubType: String
    let spaceId: String?
    let ownerId: String
    let creatorId: String
    let updaterId: String
    let tenantId: String
    let createdAt: Date
    let updatedAt: Date
    let resourceCreatedAt: Date
    let resourceUpdatedAt: Date
    let resourceAttributes: Attributes
    let resourceCustomAttributes: [String: String]
    /// "" until the app's first reload, as Qlik answers.
    let resourceReloadEndTime: String
    let resourceReloadStatus: String
    private(set) var actions: [String]
    let collectionIds: [String]
    let isFavorited: Bool
    private(set) var meta: Meta
    let links: Links

    init(_ app: SandboxApp, tenantID: String, origin: String) {
        id = app.itemID
        name = app.name
        description = app.description
        resourceType = "app"
        resourceId = app.id
        resourceSubType = ""
        spaceId = app.spaceID
        ownerId = app.ownerID
        creatorId = app.ownerID
        updaterId = app.ownerID
        tenantId = tenantID
        createdAt = app.createdAt
        updatedAt = app.updatedAt
        resourceCreatedAt = app.createdAt
        resourceUpdatedAt = app.updatedAt
        resourceAttributes = Attributes(id: app.id, name: app.name, description: app.description, createdDate: app.createdAt,
                                        modifiedDate: app.updatedAt, owner: app.ownerID,
                                        lastReloadTime: app.lastReloadTime.map(JSONResponse.timestamp) ?? "", spaceId: app.spaceID)
        resourceCustomAttributes = [:]
        resourceReloadEndTime = app.lastReload.map { JSONResponse.timestamp($0.endTime) } ?? ""
        resourceReloadStatus = app.lastReload?.status ?? ""
        actions = ["read", "update", "delete", "reload"]
        collectionIds = []
        isFavorited = false
        meta = Meta(actions: actions, collections: [], isFavorited: false, tags: [])
        links = Links(self: Link(href: "\(origin)/api/v1/items/\(app.itemID)"), open: Link(href: "\(origin)/sense/app/\(app.id)"))
    }

    /// A data file as the catalog lists it: resourceType `dataset`, subtype `qix-df`; its item id is the file's id.
    init(dataset file: DataFile, tenantID: String, origin: String) {
        id = file.id
        name = file.name
        description = ""
        resourceType = "dataset"
        resourceId = file.id
        resourceSubType = "qix-df"
        spaceId = file.spaceID
        ownerId = file.ownerID
        creatorId = file.ownerID
        updaterId = file.ownerID
        tenantId = tenantID
        createdAt = file.createdAt
        updatedAt = file.modifiedAt
        resourceCreatedAt = file.createdAt
        resourceUpdatedAt = file.modifiedAt
        resourceAttributes = Attributes(id: file.id, name: file.name, description: "", createdDate: file.createdAt, modifiedDate: file.modifiedAt,
                                        owner: file.ownerID, lastReloadTime: "", spaceId: file.spaceID)
        resourceCustomAttributes = [:]
        resourceReloadEndTime = ""
        resourceReloadStatus = ""
        actions = ["read", "update", "delete"]
        collectionIds = []
        isFavorited = false
        meta = Meta(actions: actions, collections: [], isFavorited: false, tags: [])
        links = Links(self: Link(href: "\(origin)/api/v1/items/\(file.id)"), open: Link(href: "\(origin)/api/v1/data-files/\(file.id)"))
    }

    /// The item without the caller's actions, as `noActions=true` asks (Qlik skips working them out).
    func withoutActions() -> ItemView {
        var item = self
        item.actions = []
        item.meta = Meta(actions: [], collections: meta.collections, isFavorited: meta.isFavorited, tags: meta.tags)
        return item
    }

    /// `ItemsListItemsResponseBody`
    struct Page: Encodable, Sendable {
        let data: [ItemView]
        let links: PageLinks
    }
}

struct DataFileView: Encodable, Sendable {
    let id: String
    let name: String
    let size: Int
    let ownerId: String
    let spaceId: String?
    let connectionId: String
    let createdDate: Date
    let modifiedDate: Date
    let contentUpdatedDate: Date
    let actions: [String]
    let folder: Bool
    let baseName: String
    /// The file's QRI, as its data set and the lineage graph name it.
    let qri: String
    let folderStats: FolderStats

    /// `FolderStatsResponse`: a file holds no files or folders.
    struct FolderStats: Encodable, Sendable {
        let aggregateAppScopedFileSize = 0, aggregateFileSize = 0, aggregateInternalFileSize = 0, directAppScopedFileCount = 0
        let directFileCount = 0, directFolderCount = 0, directInternalFileCount = 0, totalAppScopedFileCount = 0, totalFileCount = 0
        let totalFolderCount = 0, totalInternalFileCount = 0
    }

    /// `{"href": ...}`, or `{}` where there is no such page.
    struct OptionalLink: Encodable, Sendable {
        let href: String?
        init(_ link: Link?) { href = link?.href }
    }

    struct Links: Encodable, Sendable {
        let `self`: Link
        let next: OptionalLink
        let prev: OptionalLink
    }

    /// `GetDataFileInfosResponse`
    struct Page: Encodable, Sendable {
        let data: [DataFileView]
        let links: Links
    }

    init(_ file: DataFile) {
        id = file.id
        name = file.name
        size = file.content.count
        ownerId = file.ownerID
        spaceId = file.spaceID
        connectionId = file.connectionID
        createdDate = file.createdAt
        modifiedDate = file.modifiedAt
        contentUpdatedDate = file.modifiedAt
        actions = ["read", "update", "delete"]
        folder = false
        baseName = (file.name as NSString).lastPathComponent
        qri = LineageGraph.datasetQRI(fileID: file.id, spaceID: file.spaceID, ownerID: file.ownerID)
        folderStats = FolderStats()
    }
}
