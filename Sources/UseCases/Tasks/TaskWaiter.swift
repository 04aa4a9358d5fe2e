public import QlikConnections
public import Repository
public import Runtime

/// How a wait for a task ended.
public enum TaskWaitOutcome: Sendable {
    case finished(TaskRecord)
    /// The deadline came first; the task as it stands.
    case stillPending(TaskRecord)
    /// No agent of the task's Secure Agent group is left to run it: waiting longer would be for nothing.
    case noAgentLeft(TaskRecord, AgentAvailability)

    /// The task as last read.
    public var task: TaskRecord {
        switch self {
        case .finished(let task), .stillPending(let task), .noAgentLeft(let task, _): task
        }
    }
}

/// Waiting for a queued task to finish: the one wait loop of the command line
/// and the API. It sleeps on this process's ``TaskFinishSignal`` when it has
/// one, so a task finished here (the serverless pool, an agent reporting to
/// this service) wakes it at once; it reads the task again every `fallback`
/// for work finished in another process, and stops early once no agent of the
/// task's group is left.
public struct TaskWaiter: Sendable {
    let tasks: any TaskQueue
    let finishes: TaskFinishSignal?
    let fallback: Duration

    /// `fallback`: how often the task is read again when no signal comes (a finish in another process is heard no later).
    public init(tasks: any TaskQueue, finishes: TaskFinishSignal? = nil, polling fallback: Duration) {
        self.tasks = tasks
        self.finishes = finishes
        self.fallback = fallback
    }

    public func wait(for task: SubmittedTask, until deadline: ContinuousClock.Instant) async throws -> TaskWaitOutcome {
        guard let finishes else {
            return try await wait(for: task, until: deadline) { wake in try await Task.sleep(until: wake) }
        }
        return try await finishes.listening(for: task.record.id) { subscription in
            try await wait(for: task, until: deadline) { wake in await subscription.next(until: wake) }
        }
    }

    private func wait(for submitted: SubmittedTask, until deadline: ContinuousClock.Instant,
                      sleep: (ContinuousClock.Instant) async throws -> Void) async throws -> TaskWaitOutcome {
        var watch = submitted.watch
        while true {
            // A signal's sleep returns on cancellation instead of throwing: without this check a cancelled wait would spin.
            try Task.checkCancellation()
            let task = try await tasks.task(submitted.record.id, in: submitted.record.organizationID)
            if task.state.isFinished { return .finished(task) }
            if ContinuousClock.now >= deadline { return .stillPending(task) }
            if let gone = try await watch?.noAgentLeft() { return .noAgentLeft(task, gone) }
            try await sleep(min(deadline, ContinuousClock.now + fallback))
        }
    }
}
