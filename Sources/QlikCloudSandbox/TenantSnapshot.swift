import Foundation

/// Everything a tenant holds but file contents and data models, as one JSON
/// document: what ``TenantStore`` writes after each change and reads at start.
struct TenantSnapshot: Codable, Sendable {
    /// Bumped when the layout changes, so an old directory is refused rather than misread.
    static let currentFormat = 1

    struct ModelRecord: Codable, Sendable, Equatable {
        /// Each save of a model goes to a new generation's folder, so a crash mid-write leaves the previous one whole.
        let generation: Int
        let tables: Int
    }

    /// The user, key and client the sandbox prints at start.
    struct Administrator: Codable, Sendable {
        let userID: String
        let apiKeyToken: String
        let clientID: String
    }

    var format = currentFormat
    let tenantID: String
    let personalConnectionID: String
    let sequence: Int
    let administrator: Administrator?
    let users: [SandboxUser]
    let apiKeys: [APIKey]
    let clients: [OAuthClient]
    let tokens: [OAuthAccessToken]
    let spaces: [Space]
    let apps: [SandboxApp]
    let dataFiles: [DataFile]
    let reloads: [Reload]
    let tempContents: [TempContent]
    let models: [String: ModelRecord]
    /// Absent in tenants saved before the REST resources kept state of their own.
    var rest: TenantRESTState? = nil
}
