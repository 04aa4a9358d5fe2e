import Synchronization

/// The master keys a long-running process (the service, its serverless workers) holds, read again from where
/// they are kept when they turn out stale: another process rotated the key, so a ciphertext names a key this
/// process does not hold, or the repository refuses a value sealed with the key it retired. One reload runs at a
/// time; callers that find one under way wait for its result instead of starting another (a single flight).
public final class LiveKeyring: Sendable {
    /// Reads the keys again. `held` is what the process holds now; a reloaded keyring keeps its keys
    /// (``Keyring/keeping(_:)``), so values read just before a rotation still open.
    public typealias Reload = @Sendable (_ held: Keyring) async throws -> Keyring

    private struct State {
        var keyring: Keyring
        var reloading = false
        var waiting: [CheckedContinuation<Keyring?, any Error>] = []
    }

    private let state: Mutex<State>
    private let reload: Reload

    public init(_ keyring: Keyring, reload: @escaping Reload) {
        state = Mutex(State(keyring: keyring))
        self.reload = reload
    }

    /// A keyring that is never read again: for a process with no key store to go back to.
    public static func fixed(_ keyring: Keyring) -> LiveKeyring {
        LiveKeyring(keyring) { held in held }
    }

    public var current: Keyring { state.withLock { $0.keyring } }

    /// The keys held now when they include `keyID`, else the keys read again.
    public func keyring(holding keyID: String) async throws -> Keyring {
        let held = current
        return held.holds(keyID) ? held : try await reloaded(after: held)
    }

    /// The keys read again, unless someone already replaced `stale` meanwhile (then theirs): one read at a time.
    public func reloaded(after stale: Keyring) async throws -> Keyring {
        let joined: Keyring? = try await withCheckedThrowingContinuation { continuation in
            state.withLock { state in
                if state.keyring.active.id != stale.active.id || state.keyring.keyIDs != stale.keyIDs {
                    continuation.resume(returning: state.keyring)
                } else if state.reloading {
                    state.waiting.append(continuation)
                } else {
                    // This caller reads; nil tells it so.
                    state.reloading = true
                    continuation.resume(returning: nil)
                }
            }
        }
        if let joined { return joined }
        do {
            let fresh = try await reload(stale)
            let waiting = state.withLock { state in
                state.keyring = fresh
                state.reloading = false
                defer { state.waiting = [] }
                return state.waiting
            }
            for waiter in waiting { waiter.resume(returning: fresh) }
            return fresh
        } catch {
            let waiting = state.withLock { state in
                state.reloading = false
                defer { state.waiting = [] }
                return state.waiting
            }
            for waiter in waiting { waiter.resume(throwing: error) }
            throw error
        }
    }

    /// Runs `body` with the keys held now; when it fails because they are stale (`isStale`), reads them again
    /// and runs it once more with the new ones.
    public func withCurrent<T>(retryingWhen isStale: (any Error) -> Bool, _ body: (Keyring) async throws -> T) async throws -> T {
        let held = current
        do {
            return try await body(held)
        } catch where isStale(error) {
            return try await body(try await reloaded(after: held))
        }
    }
}
