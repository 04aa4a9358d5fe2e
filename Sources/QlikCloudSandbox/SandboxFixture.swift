public import Foundation

/// A tenant described in a JSON file, to seed a sandbox with the users,
/// keys, OAuth clients, spaces, apps and data files a test or demo needs.
/// The first user is the administrator whose key and client the sandbox
/// prints; one of each is made for it when the file names none. Apps with
/// `"reload": true` run their script at seeding, so their data is there.
///
///     {"users": [{"name": "Ada", "email": "ada@example.com",
///                 "apiKeys": [{"token": "sbx_fixed_key"}],
///                 "oauthClients": [{"clientId": "ci", "clientSecret": "cs"}]}],
///      "spaces": [{"name": "Finance", "type": "shared"}],
///      "dataFiles": [{"name": "orders.csv", "path": "orders.csv"}],
///      "apps": [{"name": "Orders", "space": "Finance", "reload": true,
///                "script": "Orders: LOAD * FROM [lib://DataFiles/orders.csv] (txt, utf8, embedded labels, delimiter is ',');",
///                "objects": [{"properties": {"qInfo": {"qId": "sheet-1", "qType": "sheet"}, "qMetaDef": {"title": "Orders"}}, "published": true},
///                            {"properties": {"qInfo": {"qId": "dim-1", "qType": "dimension"}, "qDim": {"qFieldDefs": ["Region"]}}},
///                            {"properties": {"qInfo": {"qId": "bm-1", "qType": "bookmark"}}, "selections": {"Region": ["EU"]}}]}],
///      "generatedApps": [{"name": "Big", "rows": 1000000, "columns": 10, "seed": 1}]}
public struct SandboxFixture: Decodable, Sendable {
    public struct User: Decodable, Sendable {
        public var name: String
        public var email: String
        public var status: String?
        public var apiKeys: [Key]?
        public var oauthClients: [Client]?
    }

    public struct Key: Decodable, Sendable {
        /// A fixed token, so scripts can be written against it; random when absent.
        public var token: String?
        public var expiresAt: Date?
    }

    public struct Client: Decodable, Sendable {
        public var clientId: String?
        public var clientSecret: String?
        public var enabled: Bool?
    }

    public struct Space: Decodable, Sendable {
        public var name: String
        public var type: String
        public var description: String?
        /// The owner's email; the administrator when absent.
        public var owner: String?
    }

    public struct DataFile: Decodable, Sendable {
        public var name: String
        /// A file to copy, relative to the fixture file; or `text` inline.
        public var path: String?
        public var text: String?
        public var owner: String?
    }

    public struct App: Decodable, Sendable {
        public var name: String
        public var description: String?
        /// A space's name; the owner's personal space when absent.
        public var space: String?
        public var owner: String?
        public var script: String?
        public var reload: Bool?
        /// Its sheets, charts, master items, variables and bookmarks, each as the engine's properties.
        public var objects: [AppObjectEntry]?
        /// The app's own properties beyond its name (`qThumbnail`, client keys), as `GetAppProperties` shows them.
        var appProperties: JSONValue?
    }

    /// One object of an app: its properties (`qInfo.qId` and `qInfo.qType` required), its parent's id (a chart's sheet),
    /// whether it is published, its owner's email, and for a bookmark its selections (field name to values).
    public struct AppObjectEntry: Decodable, Sendable {
        var properties: JSONValue
        public var parent: String?
        public var published: Bool?
        public var owner: String?
        public var selections: [String: [String]]?
    }

    public struct GeneratedApp: Decodable, Sendable {
        public var name: String
        public var rows: Int
        public var columns: Int?
        public var seed: UInt64?
        public var space: String?
    }

    public var users: [User]
    public var spaces: [Space]?
    public var dataFiles: [DataFile]?
    public var apps: [App]?
    public var generatedApps: [GeneratedApp]?
    /// The folder that relative data file paths start from.
    private var baseDirectory = URL(fileURLWithPath: ".")

    private enum CodingKeys: String, CodingKey { case users, spaces, dataFiles, apps, generatedApps }

    public static func load(path: String) throws(SandboxSetupError) -> SandboxFixture {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SandboxSetupError("Cannot read the fixture \(path): \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var fixture: SandboxFixture
        do { fixture = try decoder.decode(SandboxFixture.self, from: data) } catch {
            throw SandboxSetupError("The fixture \(path) is not valid: \(Self.describe(error))")
        }
        fixture.baseDirectory = url.deletingLastPathComponent()
        return fixture
    }

    /// A decoding error as the JSON path and what was expected there.
    private static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: return "\(path(context.codingPath + [key])) is missing."
        case .typeMismatch(let type, let context)?: return "\(path(context.codingPath)) should be \(type)."
        case .valueNotFound(let type, let context)?: return "\(path(context.codingPath)) should be \(type), not null."
        case .dataCorrupted(let context)?: return "\(path(context.codingPath)): \(context.debugDescription)"
        default: return "\(error)"
        }
    }

    static let spaceTypes: Set<String> = ["shared", "managed", "data"]

    /// An app's objects: each with an id and a type, ids unique, parents among them, selections only on bookmarks.
    private static func checkObjects(_ objects: [AppObjectEntry], _ place: String,
                                     owner: (String?, String) throws(SandboxSetupError) -> Void) throws(SandboxSetupError) {
        let ids = objects.map { $0.properties.value(at: "/qInfo/qId")?.string ?? "" }
        for (index, object) in objects.enumerated() {
            let at = "\(place)[\(index)]"
            guard case .object = object.properties, !ids[index].isEmpty,
                  let type = object.properties.value(at: "/qInfo/qType")?.string, !type.isEmpty else {
                throw SandboxSetupError("\(at).properties needs qInfo with a qId and a qType, such as {\"qInfo\": {\"qId\": \"sheet-1\", \"qType\": \"sheet\"}}.")
            }
            guard ids.filter({ $0 == ids[index] }).count == 1 else { throw SandboxSetupError("\(at): the id \(ids[index]) is used twice in the app.") }
            if let parent = object.parent, parent == ids[index] || !ids.contains(parent) {
                throw SandboxSetupError("\(at).parent is '\(parent)', which is not another object of the app (ids: \(ids.joined(separator: ", "))).")
            }
            if object.selections != nil && type != "bookmark" {
                throw SandboxSetupError("\(at).selections is only for bookmarks; this object's qType is \(type).")
            }
            try owner(object.owner, at)
        }
    }

    /// Seeds an empty tenant; every reference is checked first, so a bad
    /// fixture changes nothing and the error names the entry.
    func seed(_ tenant: Tenant) async throws(SandboxSetupError) -> TenantSnapshot.Administrator {
        guard let first = users.first else { throw SandboxSetupError("The fixture needs at least one user: the first is the administrator.") }
        var emails = Set<String>()
        for (index, user) in users.enumerated() {
            guard !user.name.isEmpty, user.email.contains("@") else {
                throw SandboxSetupError("users[\(index)] needs a name and an email address.")
            }
            guard emails.insert(user.email.lowercased()).inserted else { throw SandboxSetupError("users[\(index)]: the email \(user.email) is used twice.") }
            guard ["active", "disabled", "deleted", "invited"].contains(user.status ?? "active") else {
                throw SandboxSetupError("users[\(index)].status is '\(user.status ?? "")'; expected active, disabled, invited or deleted.")
            }
        }
        let tokens = users.flatMap { $0.apiKeys ?? [] }.compactMap(\.token)
        guard Set(tokens).count == tokens.count else { throw SandboxSetupError("The fixture gives the same API key token twice.") }
        let clientIDs = users.flatMap { $0.oauthClients ?? [] }.compactMap(\.clientId)
        guard Set(clientIDs).count == clientIDs.count else { throw SandboxSetupError("The fixture gives the same OAuth client id twice.") }
        func owner(_ email: String?, _ place: String) throws(SandboxSetupError) -> String? {
            guard let email else { return nil }
            guard emails.contains(email.lowercased()) else {
                throw SandboxSetupError("\(place).owner is \(email), which is not a user of the fixture (users: \(users.map(\.email).joined(separator: ", "))).")
            }
            return email.lowercased()
        }
        let spaceNames = (spaces ?? []).map(\.name)
        for (index, space) in (spaces ?? []).enumerated() {
            guard Self.spaceTypes.contains(space.type) else {
                throw SandboxSetupError("spaces[\(index)].type is '\(space.type)'; expected shared, managed or data.")
            }
            guard spaceNames.filter({ $0 == space.name }).count == 1 else { throw SandboxSetupError("spaces[\(index)]: the name \(space.name) is used twice.") }
            _ = try owner(space.owner, "spaces[\(index)]")
        }
        func space(_ name: String?, _ place: String) throws(SandboxSetupError) {
            guard let name, !spaceNames.contains(name) else { return }
            throw SandboxSetupError("\(place).space is '\(name)', which is not a space of the fixture (spaces: \(spaceNames.joined(separator: ", "))).")
        }
        var files: [(name: String, content: [UInt8], owner: String?)] = []
        for (index, file) in (dataFiles ?? []).enumerated() {
            let content: [UInt8]
            switch (file.path, file.text) {
            case (let path?, nil):
                let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
                do { content = try [UInt8](Data(contentsOf: url)) } catch {
                    throw SandboxSetupError("dataFiles[\(index)].path: cannot read \(url.path): \(error.localizedDescription)")
                }
            case (nil, let text?): content = Array(text.utf8)
            default: throw SandboxSetupError("dataFiles[\(index)] needs exactly one of path and text.")
            }
            guard !file.name.isEmpty, !files.contains(where: { $0.name == file.name }) else {
                throw SandboxSetupError("dataFiles[\(index)].name must be given and unique.")
            }
            files.append((file.name, content, try owner(file.owner, "dataFiles[\(index)]")))
        }
        for (index, app) in (apps ?? []).enumerated() {
            try space(app.space, "apps[\(index)]")
            _ = try owner(app.owner, "apps[\(index)]")
            try Self.checkObjects(app.objects ?? [], "apps[\(index)].objects") { email, place throws(SandboxSetupError) in _ = try owner(email, place) }
            if let properties = app.appProperties {
                guard case .object = properties else {
                    throw SandboxSetupError("apps[\(index)].appProperties should be a JSON object, such as {\"qThumbnail\": {\"qUrl\": \"\"}}.")
                }
            }
        }
        for (index, app) in (generatedApps ?? []).enumerated() {
            try space(app.space, "generatedApps[\(index)]")
            guard app.rows >= 0, (1...1000).contains(app.columns ?? 10) else {
                throw SandboxSetupError("generatedApps[\(index)] needs rows of 0 or more and columns from 1 to 1000.")
            }
        }
        // Scripts run against the fixture's files (all in the personal space) before anything is added;
        // a space's name stands in for its id, which does not exist yet.
        let personalFiles = files.map { DataFileLibrary.File(name: $0.name, spaceID: nil, content: $0.content) }
        for (index, app) in (apps ?? []).enumerated() where app.reload == true {
            let library = DataFileLibrary(files: personalFiles, spaceNames: [:], appSpaceID: app.space)
            if case .failure(let failure) = LoadScript(dataFile: library.content).run(app.script ?? "") {
                throw SandboxSetupError("apps[\(index)] '\(app.name)': the script fails at line \(failure.line): \(failure.message)")
            }
        }

        var userIDs: [String: String] = [:]
        var administrator: TenantSnapshot.Administrator?
        for user in users {
            let added = await tenant.addUser(name: user.name, email: user.email, status: user.status ?? "active")
            userIDs[user.email.lowercased()] = added.id
            var keys = [APIKey]()
            for key in user.apiKeys ?? [] { keys.append(await tenant.addAPIKey(for: added.id, token: key.token, expiresAt: key.expiresAt)) }
            var clients = [OAuthClient]()
            for client in user.oauthClients ?? [] {
                clients.append(await tenant.addOAuthClient(for: added.id, clientID: client.clientId, clientSecret: client.clientSecret,
                                                           enabled: client.enabled ?? true))
            }
            if user.email == first.email {
                var key = keys.first { $0.expiresAt == nil }
                if key == nil { key = await tenant.addAPIKey(for: added.id) }
                var client = clients.first { $0.enabled }
                if client == nil { client = await tenant.addOAuthClient(for: added.id) }
                guard let key, let client else { break }
                administrator = TenantSnapshot.Administrator(userID: added.id, apiKeyToken: key.token, clientID: client.clientID)
            }
        }
        guard let administrator else { throw SandboxSetupError("The fixture's administrator could not be created.") }
        func ownerID(_ email: String?) -> String { email.flatMap { userIDs[$0.lowercased()] } ?? administrator.userID }
        var spaceIDs: [String: String] = [:]
        for space in spaces ?? [] {
            spaceIDs[space.name] = await tenant.addSpace(name: space.name, type: space.type, description: space.description ?? "", ownerID: ownerID(space.owner)).id
        }
        for file in files {
            do {
                _ = try await tenant.addDataFile(name: file.name, content: file.content, ownerID: ownerID(file.owner), connectionID: nil, large: true)
            } catch {
                throw SandboxSetupError("dataFiles '\(file.name)': \(error.detail ?? "refused")")
            }
        }
        for app in apps ?? [] {
            let added = await tenant.addApp(name: app.name, description: app.description ?? "", spaceID: app.space.flatMap { spaceIDs[$0] },
                                            ownerID: ownerID(app.owner))
            if let script = app.script { _ = await tenant.setScript(added.id, script: script, message: "From the fixture", userID: ownerID(app.owner)) }
            // Checked above, so it succeeds; recorded as a reload, as a real tenant's history would show it.
            if app.reload == true { _ = await tenant.reloadNow(appID: added.id, userID: ownerID(app.owner)) }
            if app.objects != nil || app.appProperties != nil {
                let now = tenant.clock()
                let objects = (app.objects ?? []).map { entry in
                    AppObject(properties: entry.properties, parentID: entry.parent, ownerID: ownerID(entry.owner ?? app.owner),
                              published: entry.published ?? false, createdAt: now, modifiedAt: now,
                              bookmarkSelections: entry.selections.map { $0.sorted { $0.key < $1.key }.map { BookmarkSelection(field: $0.key, values: $0.value) } })
                }
                await tenant.setAppObjects(added.id, AppObjects(objects, appProperties: app.appProperties))
            }
        }
        for app in generatedApps ?? [] {
            _ = await tenant.addGeneratedApp(name: app.name, rows: app.rows, columns: app.columns ?? 10, seed: app.seed ?? 1,
                                             spaceID: app.space.flatMap { spaceIDs[$0] }, ownerID: administrator.userID)
        }
        return administrator
    }
}
