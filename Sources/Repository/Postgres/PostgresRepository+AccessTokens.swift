public import Foundation
import PostgresNIO
public import QlikConnections

extension PostgresRepository: AccessTokenStore {
    public func createAccessToken(_ token: AccessToken, secretHash: Data, credentialsEpoch: Int64, by actor: AuditActor) async throws {
        try await write { session in
            guard let organization = try await session.value(String.self, "SELECT organization_id FROM users WHERE id = \(token.userID.description)") else {
                throw RepositoryError.notFound(kind: "user", name: token.userID.description, organization: nil)
            }
            try await session.execute("""
                INSERT INTO access_tokens (id, user_id, name, prefix, secret_hash, created_at, expires_at, credentials_epoch)
                VALUES (\(token.id.description), \(token.userID.description), \(token.name), \(token.prefix), \(secretHash),
                        \(token.createdAt.millisecondsSince1970), \(token.expiresAt?.millisecondsSince1970), \(credentialsEpoch))
                """)
            try await self.audit(session, organization: OrganizationID(try UUID.stored(organization, column: "users.organization_id")), actor: actor,
                                 action: "token.create", targetKind: "access-token", targetID: token.id.description, targetName: token.name)
        }
    }

    public func accessTokens(of user: UserID) async throws -> [AccessToken] {
        try await read { session in
            try await session.rows("SELECT * FROM access_tokens WHERE user_id = \(user.description) ORDER BY created_at").map { try StoredValues.token($0) }
        }
    }

    public func principal(forSecretHash hash: Data, at now: Date) async throws -> (User, AccessToken)? {
        let found = try await read { session -> (User, AccessToken)? in
            guard let row = try await session.first("""
                SELECT t.id AS token_id, t.user_id, t.name AS token_name, t.prefix, t.created_at AS token_created_at, t.expires_at,
                       t.last_used_at, t.revoked_at, u.*
                FROM access_tokens t JOIN users u ON u.id = t.user_id WHERE t.secret_hash = \(hash) AND t.credentials_epoch = u.credentials_epoch
                """) else { return nil }
            return (try StoredValues.user(row), try StoredValues.token(row, joined: true))
        }
        guard let (user, token) = found, token.isUsable(at: now), !user.disabled else { return nil }
        // Noted at most once a minute: a busy script would otherwise write on every request.
        if token.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            try await read { session in
                try await session.execute("UPDATE access_tokens SET last_used_at = \(now.millisecondsSince1970) WHERE id = \(token.id.description)")
            }
        }
        return (user, token)
    }

    public func revokeAccessToken(_ id: AccessTokenID, of user: UserID, at now: Date, by actor: AuditActor) async throws -> AccessToken {
        try await write { session in
            guard let row = try await session.first("""
                SELECT * FROM access_tokens WHERE id = \(id.description) AND user_id = \(user.description) FOR UPDATE
                """),
                  let organization = try await session.value(String.self, "SELECT organization_id FROM users WHERE id = \(user.description)") else {
                throw RepositoryError.notFound(kind: "access token", name: id.description, organization: nil)
            }
            var token = try StoredValues.token(row)
            if token.revokedAt == nil {
                try await session.execute("UPDATE access_tokens SET revoked_at = \(now.millisecondsSince1970) WHERE id = \(id.description)")
                token.revokedAt = now.millisecondPrecision
                try await self.audit(session, organization: OrganizationID(try UUID.stored(organization, column: "users.organization_id")), actor: actor,
                                     action: "token.revoke", targetKind: "access-token", targetID: id.description, targetName: token.name)
            }
            return token
        }
    }
}
