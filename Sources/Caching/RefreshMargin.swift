public import Foundation

/// How long before its expiry a value is refreshed in the background: a
/// fraction of the value's lifetime, at most a fixed time. Callers keep the
/// current value during that margin, so none waits for a refresh while the
/// value still serves.
public struct RefreshMargin: Sendable, Equatable {
    /// The share of the lifetime (from when the value was obtained to its expiry), 0 to 1.
    public let fractionOfLifetime: Double
    /// The margin's upper bound, in seconds.
    public let atMost: TimeInterval

    public init(fractionOfLifetime: Double, atMost: TimeInterval = .infinity) {
        self.fractionOfLifetime = min(1, max(0, fractionOfLifetime))
        self.atMost = max(0, atMost)
    }

    /// No early refresh: the value serves until it expires, then callers wait for a new one.
    public static let none = RefreshMargin(fractionOfLifetime: 0)

    /// A fixed time before expiry (never more than the whole lifetime).
    public static func seconds(_ seconds: TimeInterval) -> RefreshMargin { RefreshMargin(fractionOfLifetime: 1, atMost: seconds) }

    /// When a value obtained at `obtainedAt` and expiring at `expiresAt` starts being refreshed.
    func refreshAt(obtainedAt: Date, expiresAt: Date) -> Date {
        let lifetime = max(0, expiresAt.timeIntervalSince(obtainedAt))
        return expiresAt.addingTimeInterval(-min(atMost, lifetime * fractionOfLifetime))
    }
}
