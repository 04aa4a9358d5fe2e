public import Foundation
import Synchronization
import UseCases

/// The one-time link `serve` prints when there is no administrator yet: it
/// lets the person at the terminal create the first one in the browser.
/// Only the link's hash is held, in memory; it works once, for an hour, and
/// not at all once any administrator exists.
public final class SetupLink: Sendable {
    private struct State {
        var hash: Data?
        var expiresAt = Date.distantPast
        var claimed = false
    }

    private let state = Mutex(State())
    static let lifetime: TimeInterval = 3600

    public init() {}

    /// A new secret for the link (replacing any earlier one), to print once.
    public func issue(now: Date = Date()) -> String {
        let secret = OpaqueToken.generate(.session)
        state.withLock { $0 = State(hash: secret.hash, expiresAt: now.addingTimeInterval(Self.lifetime)) }
        return secret.text
    }

    /// Whether `secret` is the live link's, not yet used or being used.
    func isLive(_ secret: String, now: Date = Date()) -> Bool {
        state.withLock { Self.matches($0, secret, now) && !$0.claimed }
    }

    /// Takes the link for one setup attempt: a second attempt running at the same time is refused.
    func claim(_ secret: String, now: Date = Date()) -> Bool {
        state.withLock { state in
            guard Self.matches(state, secret, now), !state.claimed else { return false }
            state.claimed = true
            return true
        }
    }

    /// The attempt failed (bad input): the link works again.
    func release() { state.withLock { $0.claimed = false } }

    /// The first administrator exists: the link is spent.
    func spend() { state.withLock { $0 = State() } }

    private static func matches(_ state: State, _ secret: String, _ now: Date) -> Bool {
        // A text of another shape was never issued, so it cannot be the link's.
        guard let hash = state.hash, now < state.expiresAt, let given = try? OpaqueToken(secret, as: .session) else { return false }
        return ConsoleSession.same(given.hash.base64EncodedString(), hash.base64EncodedString())
    }
}
