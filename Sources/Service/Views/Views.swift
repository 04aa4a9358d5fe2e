import Foundation
import QlikConnections
import Repository

/// What the API shows of things: JSON shapes with no secret in them.
struct UserView: Codable, Sendable {
    let id: String
    let email: String
    let displayName: String
    let role: String
    let disabled: Bool
    let createdAt: Date

    init(_ user: User) {
        id = user.id.description
        email = user.email.value
        displayName = user.displayName
        role = user.role.rawValue
        disabled = user.disabled
        createdAt = user.createdAt
    }
}

struct AccessTokenView: Codable, Sendable {
    let id: String
    let name: String
    let prefix: String
    let createdAt: Date
    let expiresAt: Date?
    let lastUsedAt: Date?
    let revokedAt: Date?
    /// Only in the answer to the create: the one time the secret is shown.
    let token: String?

    init(_ token: AccessToken, secret: String? = nil) {
        id = token.id.description
        name = token.name
        prefix = token.prefix
        createdAt = token.createdAt
        expiresAt = token.expiresAt
        lastUsedAt = token.lastUsedAt
        revokedAt = token.revokedAt
        self.token = secret
    }
}

struct AuditEventView: Codable, Sendable {
    let sequence: Int64
    let at: Date
    let actor: String
    let action: String
    let targetKind: String
    let targetID: String
    let targetName: String
}

/// One page of a list, and where the next starts.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public let items: [Item]
    public let total: Int
    public let nextCursor: String?
}
