import Foundation

/// `ApiKey` (qlik-api-ts api-keys): never the token, but in ``WithToken`` once, when the key is created.
struct APIKeyView: Encodable, Sendable {
    let id: String
    let tenantId: String
    let description: String
    let sub: String
    let subType: String
    let status: String
    let createdByUser: String
    let created: Date?
    let lastUpdated: Date?
    let expiry: String

    /// A key without an expiry never expires: its expiry is the end of time, as far as an ISO date reaches.
    static let never = "9999-12-31T23:59:59.999Z"

    init(_ key: APIKey, tenantID: String, now: Date) {
        id = key.id
        tenantId = tenantID
        description = key.description ?? ""
        sub = key.userID
        subType = "user"
        status = Self.status(key, now: now)
        createdByUser = key.createdByUserID ?? key.userID
        created = key.createdAt
        lastUpdated = key.updatedAt ?? key.createdAt
        expiry = key.expiresAt.map(JSONResponse.timestamp) ?? Self.never
    }

    static func status(_ key: APIKey, now: Date) -> String {
        if key.revoked { return "revoked" }
        if let expiry = key.expiresAt, expiry <= now { return "expired" }
        return "active"
    }

    /// `ApiKeyWithToken`: the answer to a create, the only one that holds the token: the key's view and the token beside it.
    struct WithToken: Encodable, Sendable {
        let view: APIKeyView
        let token: String

        init(_ key: APIKey, tenantID: String, now: Date) {
            view = APIKeyView(key, tenantID: tenantID, now: now)
            token = key.token
        }

        private enum CodingKeys: String, CodingKey { case token }

        func encode(to encoder: any Encoder) throws {
            // One JSON object: the view's keys, then the token in the same container.
            try view.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(token, forKey: .token)
        }
    }

    /// `ApiKeyPage`
    struct Page: Encodable, Sendable {
        let data: [APIKeyView]
        let links: PageLinks
    }

    /// `ApiKeysConfig`
    struct Config: Encodable, Sendable {
        let max_api_key_expiry: String
        let max_keys_per_user: Int
        let scim_externalClient_expiry: String

        init(_ config: APIKeyConfig) {
            max_api_key_expiry = config.maxAPIKeyExpiry
            max_keys_per_user = config.maxKeysPerUser
            scim_externalClient_expiry = config.scimExternalClientExpiry
        }
    }
}
