public import Foundation
import PostgresNIO

extension PostgresRepository: SignInAttemptStore {
    public func reserveAttempt(_ limits: [AttemptLimit], at now: Date) async throws -> AttemptReservation {
        let nowMS = now.millisecondsSince1970
        do {
            // The upsert locks each key's row until the transaction ends; keys in sorted order, so two reservations cannot deadlock.
            try await write { session in
                var counted: [(limit: AttemptLimit, attempts: Int64, windowEndsAt: Int64)] = []
                for limit in limits.sorted(by: { $0.key < $1.key }) {
                    let ends = nowMS + Int64(limit.window * 1000)
                    guard let row = try await session.first("""
                        INSERT INTO sign_in_attempts (key, attempts, window_ends_at) VALUES (\(limit.key), 1, \(ends))
                        ON CONFLICT (key) DO UPDATE SET
                            attempts = CASE WHEN sign_in_attempts.window_ends_at <= \(nowMS) THEN 1 ELSE sign_in_attempts.attempts + 1 END,
                            window_ends_at = CASE WHEN sign_in_attempts.window_ends_at <= \(nowMS) THEN excluded.window_ends_at
                                                  ELSE sign_in_attempts.window_ends_at END
                        RETURNING attempts, window_ends_at
                        """) else { throw RepositoryError.storage(reason: "counting a sign-in attempt returned no row") }
                    counted.append((limit, try row.integer("attempts"), try row.integer("window_ends_at")))
                }
                // After the upserts: this transaction never waits while it holds rows another may wait for.
                try await Self.sweepEndedWindows(session, endedBy: nowMS)
                try AttemptsRefused.check(counted, now: nowMS)
            }
            return .reserved
        } catch let refused as AttemptsRefused {
            return .refused(keys: refused.keys, retryAfter: refused.retryAfter)
        }
    }

    public func releaseAttempt(clearing: [String], returning: [String], at now: Date) async throws {
        let nowMS = now.millisecondsSince1970
        try await write { session in
            // Keys in sorted order, as a reservation takes them, and ended windows skipped when another holds them: no deadlock.
            for key in Set(clearing + returning).sorted() {
                if clearing.contains(key) {
                    try await session.execute("DELETE FROM sign_in_attempts WHERE key = \(key)")
                } else {
                    try await session.execute("UPDATE sign_in_attempts SET attempts = attempts - 1 WHERE key = \(key) AND attempts > 0")
                }
            }
            try await Self.sweepEndedWindows(session, endedBy: nowMS)
        }
    }

    /// Deletes a bounded number of ended windows, skipping rows another transaction holds, so it never waits on one
    /// and two sign-ins cannot deadlock over an ended window.
    private static func sweepEndedWindows(_ session: PostgresSession, endedBy nowMS: Int64) async throws {
        try await session.execute("""
            DELETE FROM sign_in_attempts WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM sign_in_attempts WHERE window_ends_at <= \(nowMS)
                LIMIT \(EndedAttemptWindows.sweptPerReservation) FOR UPDATE SKIP LOCKED))
            """)
    }
}
