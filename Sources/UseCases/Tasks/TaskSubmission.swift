public import QlikConnections
public import Repository
public import Runtime

/// Queuing a task on its runtime environment, the one way every entry point
/// does it. On a Secure Agent group with no agent available that is an
/// outcome, with why and how to start one, never a failure: the API queues
/// the task anyway and says so, the command line queues nothing that no
/// agent would run.
public struct TaskSubmission: Sendable {
    /// How ``queueWhenRunnable(_:on:regardless:)`` ended.
    public enum Outcome: Sendable {
        case queued(SubmittedTask)
        /// Nothing was queued: no agent of the group is available.
        case refused(AgentAvailability)
    }

    let queue: any TaskQueue & AgentStore

    public init(queue: any TaskQueue & AgentStore) {
        self.queue = queue
    }

    /// Queues `task` on `environment` (its runtime environment) whatever the agents do; the answer says when none is available,
    /// and the task then runs once an agent of the group starts.
    public func queue(_ task: TaskRecord, on environment: RuntimeEnvironment) async throws -> SubmittedTask {
        var watch = AgentWatch(environment, in: queue)
        let gone = try await watch?.noAgentLeft()
        try await queue.enqueue(task)
        return SubmittedTask(record: task, watch: watch, noAgentAvailable: gone)
    }

    /// Queues `task` only while an agent of its group is available, so nothing runs later by surprise; `regardless` (the caller
    /// asked to wait for an agent) queues it in any case, and a wait for it then goes on whatever the agents do.
    public func queueWhenRunnable(_ task: TaskRecord, on environment: RuntimeEnvironment, regardless: Bool) async throws -> Outcome {
        var watch = AgentWatch(environment, in: queue, regardless: regardless)
        if let gone = try await watch?.noAgentLeft() { return .refused(gone) }
        try await queue.enqueue(task)
        return .queued(SubmittedTask(record: task, watch: watch, noAgentAvailable: nil))
    }
}

/// A queued task, with the watch on its Secure Agent group (nil on the serverless environment) that a wait for it goes on with.
public struct SubmittedTask: Sendable {
    public let record: TaskRecord
    public let watch: AgentWatch?
    /// The group's agents when none was available as the task was queued: waiting for it would be for nothing.
    public let noAgentAvailable: AgentAvailability?
}
