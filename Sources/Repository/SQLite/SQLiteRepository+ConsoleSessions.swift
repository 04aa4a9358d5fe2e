public import Foundation
import GRDB
public import QlikConnections

extension SQLiteRepository: ConsoleSessionStore {
    public func createSession(secretHash: Data, user: User, csrfToken: String, expiresAt: Date) async throws {
        try await write { db in
            // Expired sessions are swept as new ones start.
            try db.execute(sql: "DELETE FROM console_sessions WHERE expires_at < ?", arguments: [Date().millisecondsSince1970])
            try db.execute(sql: """
                INSERT INTO console_sessions (secret_hash, user_id, csrf_token, created_at, expires_at, credentials_epoch) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [secretHash, user.id.description, csrfToken, Date().millisecondsSince1970, expiresAt.millisecondsSince1970,
                                  user.credentialsEpoch])
        }
    }

    public func session(secretHash: Data, at now: Date) async throws -> (user: User, csrfToken: String)? {
        try await read { db in
            let statement = try db.cachedStatement(sql: """
                SELECT s.csrf_token, s.expires_at, u.* FROM console_sessions s JOIN users u ON u.id = s.user_id
                WHERE s.secret_hash = ? AND s.credentials_epoch = u.credentials_epoch
                """)
            guard let row = try Row.fetchOne(statement, arguments: [secretHash]),
                  (row["expires_at"] as Int64) > now.millisecondsSince1970 else { return nil }
            let user = try Self.user(row)
            return user.disabled ? nil : (user, row["csrf_token"])
        }
    }

    public func deleteSession(secretHash: Data) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM console_sessions WHERE secret_hash = ?", arguments: [secretHash]) }
    }
}
