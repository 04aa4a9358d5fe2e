public import Foundation
import GRDB

extension SQLiteRepository: SignInAttemptStore {
    public func reserveAttempt(_ limits: [AttemptLimit], at now: Date) async throws -> AttemptReservation {
        let nowMS = now.millisecondsSince1970
        do {
            // One write transaction: SQLite runs one writer at a time, across processes too.
            try await write { db in
                var counted: [(limit: AttemptLimit, attempts: Int64, windowEndsAt: Int64)] = []
                for limit in limits.sorted(by: { $0.key < $1.key }) {
                    let row = try Row.fetchOne(db.cachedStatement(sql: """
                        INSERT INTO sign_in_attempts (key, attempts, window_ends_at) VALUES (?, 1, ?)
                        ON CONFLICT (key) DO UPDATE SET
                            attempts = CASE WHEN sign_in_attempts.window_ends_at <= ? THEN 1 ELSE sign_in_attempts.attempts + 1 END,
                            window_ends_at = CASE WHEN sign_in_attempts.window_ends_at <= ? THEN excluded.window_ends_at ELSE sign_in_attempts.window_ends_at END
                        RETURNING attempts, window_ends_at
                        """), arguments: [limit.key, nowMS + Int64(limit.window * 1000), nowMS, nowMS])
                    guard let row else { throw RepositoryError.storage(reason: "counting a sign-in attempt returned no row") }
                    counted.append((limit, try row.integer("attempts"), try row.integer("window_ends_at")))
                }
                // SQLite's DELETE takes no LIMIT unless built for it: the keys are chosen by a bounded subselect on the window index.
                try db.execute(sql: """
                    DELETE FROM sign_in_attempts WHERE key IN (SELECT key FROM sign_in_attempts WHERE window_ends_at <= ? LIMIT ?)
                    """, arguments: [nowMS, EndedAttemptWindows.sweptPerReservation])
                try AttemptsRefused.check(counted, now: nowMS)
            }
            return .reserved
        } catch let refused as AttemptsRefused {
            return .refused(keys: refused.keys, retryAfter: refused.retryAfter)
        }
    }

    public func releaseAttempt(clearing: [String], returning: [String], at now: Date) async throws {
        try await write { db in
            for key in clearing { try db.execute(sql: "DELETE FROM sign_in_attempts WHERE key = ?", arguments: [key]) }
            for key in returning {
                try db.execute(sql: "UPDATE sign_in_attempts SET attempts = attempts - 1 WHERE key = ? AND attempts > 0", arguments: [key])
            }
            // Every ended window goes as a sign-in succeeds (a bounded number also go at each reservation).
            try db.execute(sql: "DELETE FROM sign_in_attempts WHERE window_ends_at <= ?", arguments: [now.millisecondsSince1970])
        }
    }
}
