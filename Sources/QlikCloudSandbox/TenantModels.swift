import Foundation

/// The resources of a sandbox tenant, shaped as Qlik Cloud returns them
/// (field names from Qlik's published API types).
struct SandboxUser: Sendable, Codable {
    let id: String
    let subject: String
    let name: String
    let email: String
    var status: String
    let createdAt: Date
    /// Names of Qlik's default roles (TenantAdmin, Developer, ...); nil in tenants saved before users had roles, which were all administrators.
    var roles: [String]?
}

struct APIKey: Sendable, Codable {
    let id: String
    let token: String
    let userID: String
    let expiresAt: Date?
    var revoked: Bool
    /// Nil in tenants saved before keys were created through the api-keys resource.
    var description: String? = nil
    var createdAt: Date? = nil
    var createdByUserID: String? = nil
    var updatedAt: Date? = nil
}

struct OAuthClient: Sendable, Codable {
    let clientID: String
    let clientSecret: String
    /// The user whose permissions machine-to-machine tokens carry.
    let userID: String
    var enabled: Bool
}

struct OAuthAccessToken: Sendable, Codable {
    let token: String
    let userID: String
    let clientID: String
    let expiresAt: Date
    /// Earlier than `expiresAt` when the fault settings make tokens expire early.
    let validUntil: Date?
    let scope: String
    var revoked: Bool
}

struct Space: Sendable, Codable {
    let sequence: Int
    let id: String
    var name: String
    let type: String
    var description: String
    var ownerID: String
    let createdAt: Date
    var updatedAt: Date
}

struct SandboxApp: Sendable, Codable {
    let sequence: Int
    let id: String
    let itemID: String
    var name: String
    var description: String
    var spaceID: String?
    let ownerID: String
    let createdAt: Date
    var updatedAt: Date
    var script: String
    var scriptVersions: [ScriptVersion] = []
    /// Kept beside the tenant's state as QVD files when it persists (``TenantStore``).
    var dataModel = DataModel()
    /// When the app's data was last loaded: the end of its last successful reload (`lastReloadTime`).
    var lastReloadTime: Date?
    /// How its last reload ended, successful or not, as its item reports it (`resourceReloadEndTime`, `resourceReloadStatus`).
    var lastReload: ReloadMark?
    /// Its sheets, charts, master items, variables, bookmarks and own properties; nil in tenants saved before apps held objects.
    var savedObjects: AppObjects?

    var objects: AppObjects {
        get { savedObjects ?? AppObjects() }
        set { savedObjects = newValue }
    }

    private enum CodingKeys: String, CodingKey {
        case sequence, id, itemID, name, description, spaceID, ownerID, createdAt, updatedAt, script, scriptVersions, lastReloadTime, lastReload
        case savedObjects = "objects"
    }
}

/// The end of an app's last reload and whether it succeeded.
struct ReloadMark: Sendable, Codable, Equatable {
    let endTime: Date
    let succeeded: Bool

    /// `resourceReloadStatus` as Qlik's items show it.
    var status: String { succeeded ? "ok" : "error" }
}

struct ScriptVersion: Sendable, Codable {
    let id: String
    let script: String
    let message: String
    let modifiedTime: Date
    let modifierID: String
}

struct Reload: Sendable, Codable {
    let sequence: Int
    let id: String
    let appID: String
    let userID: String
    let partial: Bool
    var status: String
    let creationTime: Date
    var startTime: Date?
    var endTime: Date?
    var log: String = ""
    var errorCode: String?
    var errorMessage: String?

    var isActive: Bool { ["QUEUED", "RELOADING", "CANCELING"].contains(status) }
}

struct DataFile: Sendable, Codable {
    let sequence: Int
    let id: String
    var name: String
    /// Kept as a file of its own when the tenant persists.
    var content: [UInt8] = []
    let ownerID: String
    let spaceID: String?
    let connectionID: String
    let createdAt: Date
    var modifiedAt: Date

    private enum CodingKeys: String, CodingKey { case sequence, id, name, ownerID, spaceID, connectionID, createdAt, modifiedAt }
}

/// Random identifiers and secrets in the shapes Qlik uses.
enum Identifier {
    /// A 24-hex-digit object id, as Qlik's ids look.
    static func objectID() -> String { hex(bytes: 12) }
    static func uuid() -> String { UUID().uuidString.lowercased() }
    static func secret() -> String { hex(bytes: 32) }

    static func hex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }
}

struct TempContent: Sendable, Codable {
    let id: String
    let filename: String
    /// Kept as a file of its own when the tenant persists.
    var content: [UInt8] = []
    let expiresAt: Date

    private enum CodingKeys: String, CodingKey { case id, filename, expiresAt }
}
