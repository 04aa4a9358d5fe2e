public import Logging
public import Repository
import Runtime

extension TaskWaiter {
    /// Waits for `task` in a process that finishes none itself (the command line, while an agent runs the task): woken by the
    /// repository's announcements where it makes them (PostgreSQL), read every `polling` otherwise. The announcements are
    /// followed only for the length of the wait; a finish in the moment before they are in place is found by the next read.
    /// `listening` is called once they are (at once where there are none).
    public static func wait(for task: SubmittedTask, in repository: any ConnectorRepository, until deadline: ContinuousClock.Instant,
                            polling: Duration, logger: Logger, listening: @escaping @Sendable () -> Void = {}) async throws -> TaskWaitOutcome {
        guard let feed = repository as? any TaskFinishFeed else {
            listening()
            return try await TaskWaiter(tasks: repository, polling: polling).wait(for: task, until: deadline)
        }
        let signal = TaskFinishSignal()
        let relay = TaskFinishRelay(feed: feed, signal: signal, logger: logger)
        return try await withThrowingTaskGroup(of: TaskWaitOutcome?.self) { group in
            group.addTask {
                await relay.follow(listening: listening)
                return nil
            }
            group.addTask { try await TaskWaiter(tasks: repository, finishes: signal, polling: max(polling, .seconds(1))).wait(for: task, until: deadline) }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let outcome = next { return outcome }
            }
            // The relay ends only when cancelled, and the wait always answers: not reached, but said rather than trapped.
            throw UseCaseError.failed("task_wait_ended", "The wait for task \(task.record.id) ended without an answer.")
        }
    }
}
