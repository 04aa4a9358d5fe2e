import Synchronization

/// The outcome of one refresh, awaited by any number of callers. A caller
/// that is cancelled leaves at once with `CancellationError`; the refresh
/// and the other callers go on.
final class SharedRefresh<Value: Sendable>: Sendable {
    private enum Waiter {
        case waiting(CheckedContinuation<Value, any Error>)
        /// Cancelled before it could register: it must not wait when it does.
        case cancelled
    }

    private struct State {
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiter: UInt64 = 0
        var outcome: Result<Value, any Error>?
    }

    private let state = Mutex(State())

    /// Waits for the outcome: the refreshed value, or the refresh's error.
    func value() async throws -> Value {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                let now: Result<Value, any Error>? = state.withLock { state in
                    if let outcome = state.outcome { return outcome }
                    if case .cancelled = state.waiters.removeValue(forKey: id) { return .failure(CancellationError()) }
                    state.waiters[id] = .waiting(continuation)
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            let leaving: CheckedContinuation<Value, any Error>? = state.withLock { state in
                switch state.waiters.removeValue(forKey: id) {
                case .waiting(let continuation):
                    return continuation
                case .cancelled, nil:
                    // Not registered yet: leave a mark so it does not wait when it registers.
                    if state.outcome == nil { state.waiters[id] = .cancelled }
                    return nil
                }
            }
            leaving?.resume(throwing: CancellationError())
        }
    }

    /// Hands the outcome to every caller waiting, and to any that comes later.
    func finish(_ outcome: Result<Value, any Error>) {
        let waiting = state.withLock { state in
            state.outcome = outcome
            let waiting = state.waiters.values
            state.waiters = [:]
            return waiting
        }
        for case .waiting(let continuation) in waiting { continuation.resume(with: outcome) }
    }
}
