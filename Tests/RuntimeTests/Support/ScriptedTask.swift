import QlikConnections
import Runtime
import Synchronization

/// A task the test runs by hand, in place of the executor: it says when it starts, writes the log lines it is
/// given, then runs until the test ends it with an outcome or the worker cancels it, and notes which.
final class ScriptedTask: Sendable {
    private let starts: AsyncStream<Void>
    private let started: AsyncStream<Void>.Continuation
    private let endings: AsyncStream<TaskOutcome>
    private let ending: AsyncStream<TaskOutcome>.Continuation
    private let lines: [String]
    private let state = Mutex((cancelled: false, logError: String?.none))

    /// - Parameter lines: written through the worker's log once the task starts.
    init(logging lines: [String] = []) {
        let startStream = AsyncStream.makeStream(of: Void.self), endStream = AsyncStream.makeStream(of: TaskOutcome.self)
        starts = startStream.stream
        started = startStream.continuation
        endings = endStream.stream
        ending = endStream.continuation
        self.lines = lines
    }

    func execute(_ claimed: ClaimedTask, log: @escaping @Sendable ([TaskLogLine]) async throws -> Void) async -> TaskOutcome {
        started.yield()
        if !lines.isEmpty {
            // Kept, not thrown: an executor notes a refused line and goes on; the worker decides whether to stop.
            do { try await log(lines.map { TaskLogLine(message: $0) }) } catch {
                state.withLock { $0.logError = "\(error)" }
            }
        }
        for await outcome in endings { return outcome }
        // The stream ends early only when this task is cancelled.
        state.withLock { $0.cancelled = true }
        return TaskOutcome(succeeded: false, error: "The task was stopped.")
    }

    /// Returns once the worker has started the task.
    func waitUntilStarted() async {
        var iterator = starts.makeAsyncIterator()
        _ = await iterator.next()
    }

    /// Lets the task end with `outcome`.
    func end(with outcome: TaskOutcome) { ending.yield(outcome) }

    /// Whether the worker cancelled the task before it ended.
    var wasCancelled: Bool { state.withLock { $0.cancelled } }
    /// What the worker's log answered when the task wrote its lines, if it refused them.
    var logError: String? { state.withLock { $0.logError } }
}
