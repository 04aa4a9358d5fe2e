public import Foundation
import PostgresNIO
public import QlikConnections

extension PostgresRepository: ConsoleSessionStore {
    public func createSession(secretHash: Data, user: User, csrfToken: String, expiresAt: Date) async throws {
        try await write { session in
            // Expired sessions are swept as new ones start.
            try await session.execute("DELETE FROM console_sessions WHERE expires_at < \(Date().millisecondsSince1970)")
            try await session.execute("""
                INSERT INTO console_sessions (secret_hash, user_id, csrf_token, created_at, expires_at, credentials_epoch)
                VALUES (\(secretHash), \(user.id.description), \(csrfToken), \(Date().millisecondsSince1970), \(expiresAt.millisecondsSince1970),
                        \(user.credentialsEpoch))
                """)
        }
    }

    public func session(secretHash: Data, at now: Date) async throws -> (user: User, csrfToken: String)? {
        try await read { session in
            guard let row = try await session.first("""
                SELECT s.csrf_token, s.expires_at, u.* FROM console_sessions s JOIN users u ON u.id = s.user_id
                WHERE s.secret_hash = \(secretHash) AND s.credentials_epoch = u.credentials_epoch
                """), try row.integer("expires_at") > now.millisecondsSince1970 else { return nil }
            let user = try StoredValues.user(row)
            return user.disabled ? nil : (user, try row.text("csrf_token"))
        }
    }

    public func deleteSession(secretHash: Data) async throws {
        try await read { session in try await session.execute("DELETE FROM console_sessions WHERE secret_hash = \(secretHash)") }
    }
}
