public import QlikConnections
import Synchronization

/// Word, inside one process, that a task has just finished here: the serverless
/// pool and the agents' finish route fire it, so a request waiting for the task
/// wakes at once instead of reading the queue again and again. A finish in
/// another process is never heard here; waiters keep a slower read as fallback.
public final class TaskFinishSignal: Sendable {
    /// One waiter's state: whether a finish came since it last woke, and its continuation while it sleeps.
    private struct Listener {
        var fired = false
        var sleeper: CheckedContinuation<Void, Never>?
    }

    private let listeners = Mutex<[TaskID: [Int: Listener]]>([:])
    private let nextToken = Atomic<Int>(0)

    public init() {}

    /// Wakes everyone listening for `id`; one not asleep right now wakes at its next ``Subscription/next(until:)``.
    public func finished(_ id: TaskID) {
        let sleepers = listeners.withLock { all -> [CheckedContinuation<Void, Never>] in
            guard var forTask = all[id] else { return [] }
            var sleepers: [CheckedContinuation<Void, Never>] = []
            for (token, var listener) in forTask {
                if let sleeper = listener.sleeper {
                    sleepers.append(sleeper)
                    listener.sleeper = nil
                } else {
                    listener.fired = true
                }
                forTask[token] = listener
            }
            all[id] = forTask
            return sleepers
        }
        sleepers.forEach { $0.resume() }
    }

    /// Runs `body` listening for `id`'s finish. Listening starts before `body` reads the task, so a finish between that read and
    /// the next sleep is not lost.
    public func listening<T>(for id: TaskID, _ body: (Subscription) async throws -> T) async rethrows -> T {
        let token = nextToken.wrappingAdd(1, ordering: .relaxed).newValue
        listeners.withLock { $0[id, default: [:]][token] = Listener() }
        defer {
            listeners.withLock { all in
                all[id]?[token] = nil
                if all[id]?.isEmpty == true { all[id] = nil }
            }
        }
        return try await body(Subscription(signal: self, id: id, token: token))
    }

    /// One listener's handle on the signal.
    public struct Subscription: Sendable {
        let signal: TaskFinishSignal
        let id: TaskID
        let token: Int

        /// Returns when the task is said to have finished (since the last return), at `deadline`, or when cancelled, whichever comes first.
        public func next(until deadline: ContinuousClock.Instant) async {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await signal.sleep(id, token) }
                group.addTask {
                    do { try await Task.sleep(until: deadline) } catch {
                        // Cancelled: the finish came first and the group ends this sleep; nothing is lost.
                        return
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Sleeps until `finished(id)` or cancellation; returns at once when a finish came while awake.
    private func sleep(_ id: TaskID, _ token: Int) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = listeners.withLock { all -> Bool in
                    guard var listener = all[id]?[token] else { return true }
                    if listener.fired || Task.isCancelled {
                        listener.fired = false
                        all[id]?[token] = listener
                        return true
                    }
                    listener.sleeper = continuation
                    all[id]?[token] = listener
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let sleeper = listeners.withLock { all -> CheckedContinuation<Void, Never>? in
                let sleeper = all[id]?[token]?.sleeper
                all[id]?[token]?.sleeper = nil
                return sleeper
            }
            sleeper?.resume()
        }
    }
}
