public import QlikConnections

/// Word of each task finished by any process that shares the repository, so a
/// request waiting here on a task another replica finished is woken at once
/// rather than by reading the queue again and again. PostgreSQL has it
/// (LISTEN/NOTIFY); a SQLite file has no such channel, and its waiters rely on
/// this process's own signal and their fallback reads.
public protocol TaskFinishFeed: Sendable {
    /// Calls `heard` with the id of each task finished from the moment `listening` is called until the caller's task is
    /// cancelled (then it returns) or the connection fails (then it throws). Finishes before `listening` are not heard.
    func followTaskFinishes(listening: @Sendable () -> Void, _ heard: @Sendable (TaskID) -> Void) async throws
}

/// The PostgreSQL channel a finish is announced on; its payload is the task's id.
enum TaskFinishChannel {
    static let name = "qc_task_finished"
}
