public import Foundation
public import QlikConnections
public import Repository

/// Issues personal API tokens: the secret is returned once and only its hash is stored.
public enum AccessTokenIssuer {
    public static func issue(for user: User, name: String, expiresInDays: Int? = nil, in store: any AccessTokenStore,
                             by actor: AuditActor, now: Date = Date()) async throws -> (token: AccessToken, secret: String) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100 else { throw UserValidationError(field: "name", "A token needs a name of 1 to 100 characters.") }
        if let days = expiresInDays, !(1...3650).contains(days) {
            throw UserValidationError(field: "expiresInDays", "expiresInDays is \(days); expected 1 to 3650, or none for no expiry.")
        }
        let secret = OpaqueToken.generate(.personal)
        let token = AccessToken(userID: user.id, name: name, prefix: secret.prefix, createdAt: now,
                                expiresAt: expiresInDays.map { now.addingTimeInterval(Double($0) * 86_400) })
        try await store.createAccessToken(token, secretHash: secret.hash,
                                         credentialsEpoch: user.credentialsEpoch, by: actor)
        return (token, secret.text)
    }
}
