public import Foundation
import GRDB
public import QlikConnections

extension SQLiteRepository: AccessTokenStore {
    public func createAccessToken(_ token: AccessToken, secretHash: Data, credentialsEpoch: Int64, by actor: AuditActor) async throws {
        try await write { db in
            guard let organization = try String.fetchOne(db, sql: "SELECT organization_id FROM users WHERE id = ?", arguments: [token.userID.description]) else {
                throw RepositoryError.notFound(kind: "user", name: token.userID.description, organization: nil)
            }
            try db.execute(
                sql: """
                    INSERT INTO access_tokens (id, user_id, name, prefix, secret_hash, created_at, expires_at, credentials_epoch)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [token.id.description, token.userID.description, token.name, token.prefix, secretHash,
                            token.createdAt.millisecondsSince1970, token.expiresAt?.millisecondsSince1970, credentialsEpoch])
            try self.audit(db, organization: OrganizationID(try UUID.stored(organization, column: "users.organization_id")), actor: actor,
                           action: "token.create", targetKind: "access-token", targetID: token.id.description, targetName: token.name)
        }
    }

    public func accessTokens(of user: UserID) async throws -> [AccessToken] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM access_tokens WHERE user_id = ? ORDER BY created_at", arguments: [user.description]).map(Self.token)
        }
    }

    public func principal(forSecretHash hash: Data, at now: Date) async throws -> (User, AccessToken)? {
        let found = try await read { db -> (User, AccessToken)? in
            // Every API request runs this: a cached statement.
            let statement = try db.cachedStatement(sql: """
                SELECT t.id AS token_id, t.user_id, t.name AS token_name, t.prefix, t.created_at AS token_created_at, t.expires_at,
                       t.last_used_at, t.revoked_at, u.*
                FROM access_tokens t JOIN users u ON u.id = t.user_id WHERE t.secret_hash = ? AND t.credentials_epoch = u.credentials_epoch
                """)
            guard let row = try Row.fetchOne(statement, arguments: [hash]) else { return nil }
            return (try StoredValues.user(row), try StoredValues.token(row, joined: true))
        }
        guard let (user, token) = found, token.isUsable(at: now), !user.disabled else { return nil }
        // Noted at most once a minute: a busy script would otherwise write on every request.
        if token.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            try await write { db in
                try db.execute(sql: "UPDATE access_tokens SET last_used_at = ? WHERE id = ?", arguments: [now.millisecondsSince1970, token.id.description])
            }
        }
        return (user, token)
    }

    public func revokeAccessToken(_ id: AccessTokenID, of user: UserID, at now: Date, by actor: AuditActor) async throws -> AccessToken {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM access_tokens WHERE id = ? AND user_id = ?",
                                             arguments: [id.description, user.description]),
                  let organization = try String.fetchOne(db, sql: "SELECT organization_id FROM users WHERE id = ?", arguments: [user.description]) else {
                throw RepositoryError.notFound(kind: "access token", name: id.description, organization: nil)
            }
            var token = try Self.token(row)
            if token.revokedAt == nil {
                try db.execute(sql: "UPDATE access_tokens SET revoked_at = ? WHERE id = ?", arguments: [now.millisecondsSince1970, id.description])
                token.revokedAt = now.millisecondPrecision
                try self.audit(db, organization: OrganizationID(try UUID.stored(organization, column: "users.organization_id")), actor: actor,
                               action: "token.revoke", targetKind: "access-token", targetID: id.description, targetName: token.name)
            }
            return token
        }
    }

    static func token(_ row: Row) throws -> AccessToken { try StoredValues.token(row) }
}
