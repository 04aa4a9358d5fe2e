import Foundation

extension Tenant {
    /// The keys, oldest first (keys from before keys had a creation time first, by id).
    var apiKeysByCreation: [APIKey] {
        apiKeys.values.sorted { ($0.createdAt ?? .distantPast, $0.id) < ($1.createdAt ?? .distantPast, $1.id) }
    }

    func apiKey(id: String) -> APIKey? { apiKeys.values.first { $0.id == id } }

    /// A new key for `userID`, living `lifetime` seconds (the tenant's maximum when nil, and never longer).
    func createAPIKey(for userID: String, description: String, lifetime: TimeInterval?, createdBy: String) throws(QlikErrorResponse) -> APIKey {
        let config = restState.apiKeyConfig
        // The setting is checked when written; a tenant saved before that check falls back to Qlik's default of a year.
        let maximum = (try? ISODuration.seconds(config.maxAPIKeyExpiry)) ?? 365 * 86_400
        if let lifetime, lifetime > maximum {
            throw .badRequest("expiry is longer than the tenant allows (max_api_key_expiry \(config.maxAPIKeyExpiry)).")
        }
        let now = clock()
        let active = apiKeys.values.filter { $0.userID == userID && !$0.revoked && ($0.expiresAt ?? .distantFuture) > now }
        guard active.count < config.maxKeysPerUser else {
            throw QlikErrorResponse(.badRequest, title: "Bad Request",
                                    detail: "The user already holds \(active.count) active API keys, the most max_keys_per_user allows; revoke one first.")
        }
        let key = APIKey(id: Identifier.objectID(), token: "sbx_" + Identifier.secret(), userID: userID,
                         expiresAt: now.addingTimeInterval(lifetime ?? maximum), revoked: false, description: description, createdAt: now,
                         createdByUserID: createdBy, updatedAt: now)
        apiKeys[key.token] = key
        persist()
        return key
    }

    /// Revokes the key with this id; nil when there is none.
    func revokeAPIKey(id: String) -> APIKey? {
        guard let token = apiKeys.values.first(where: { $0.id == id })?.token else { return nil }
        apiKeys[token]?.revoked = true
        apiKeys[token]?.updatedAt = clock()
        persist()
        return apiKeys[token]
    }

    func describeAPIKey(id: String, description: String) -> Bool {
        guard let token = apiKeys.values.first(where: { $0.id == id })?.token else { return false }
        apiKeys[token]?.description = description
        apiKeys[token]?.updatedAt = clock()
        persist()
        return true
    }

    var apiKeyConfig: APIKeyConfig { restState.apiKeyConfig }

    func setAPIKeyConfig(_ config: APIKeyConfig) {
        restState.apiKeyConfig = config
        persist()
    }
}
