public import Foundation

/// At most `limit` attempts under `key` (an e-mail address, a client address) in a window of `window` seconds
/// that starts at the first attempt.
public struct AttemptLimit: Sendable, Hashable {
    public let key: String
    public let limit: Int
    public let window: TimeInterval

    public init(key: String, limit: Int, window: TimeInterval) {
        self.key = key
        self.limit = limit
        self.window = window
    }
}

/// What a reservation got: the attempt is counted, or it is not and must wait.
public enum AttemptReservation: Sendable, Equatable {
    case reserved
    /// Nothing was counted; `keys` are at their limit, the last of their windows ends in `retryAfter` seconds.
    case refused(keys: [String], retryAfter: TimeInterval)
}

/// Sign-in attempts counted in the repository, so every replica on the same database sees the same counts and
/// concurrent attempts cannot all pass a check made before they are counted.
public protocol SignInAttemptStore: Sendable {
    /// Counts one attempt under every key at once, in one transaction, when each is under its limit; when any
    /// is at it, counts nothing. A window that has ended starts again; a bounded number of other keys' ended windows are
    /// deleted meanwhile (``EndedAttemptWindows``).
    func reserveAttempt(_ limits: [AttemptLimit], at now: Date) async throws -> AttemptReservation
    /// After a sign-in that succeeded: forgets `clearing` keys' attempts, gives one back to each of `returning`,
    /// and drops windows that have ended (on PostgreSQL a bounded number, skipping rows another transaction holds).
    func releaseAttempt(clearing: [String], returning: [String], at now: Date) async throws
}

/// Ended windows are deleted as attempts are reserved, not only when a sign-in succeeds: addresses tried once and never again
/// (a spray of made-up addresses from many clients) would otherwise grow the table without bound. Each reservation adds at most
/// one row per key and takes away up to this many ended ones, through the index on `window_ends_at`, so the work per sign-in stays
/// small and the ended rows cannot pile up. A refused reservation rolls its sweep back with the rest, but it added nothing either.
enum EndedAttemptWindows {
    static let sweptPerReservation = 100
}

/// A reservation that went over a limit: thrown inside the transaction so that it rolls back.
struct AttemptsRefused: Error {
    let keys: [String]
    let retryAfter: TimeInterval

    /// Refused when any key's count went past its limit; waits until the last such window ends (never longer than
    /// a window: a concurrent attempt that read the clock a moment later may have opened it).
    static func check(_ counted: [(limit: AttemptLimit, attempts: Int64, windowEndsAt: Int64)], now: Int64) throws {
        let over = counted.filter { $0.attempts > Int64($0.limit.limit) }
        guard !over.isEmpty else { return }
        let wait = over.map { min($0.limit.window, max(0, Double($0.windowEndsAt - now) / 1000)) }.max() ?? 0
        throw AttemptsRefused(keys: over.map(\.limit.key), retryAfter: wait)
    }
}
