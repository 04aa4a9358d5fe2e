import Foundation
import Hummingbird
import HTTPTypes
import QlikConnections
import Repository
import Runtime
import UseCases
import ConnectorAPI

/// A task that had not finished when its request stopped waiting: 202 with the task to follow. On a Secure Agent
/// group the answer also says how many of its agents are available, and when none is, why and how to start one.
struct TaskPending: HTTPResponseError {
    let task: TaskRecord
    let environments: [RuntimeEnvironment]
    /// The task's Secure Agent group's agents; nil on the serverless environment.
    var availability: AgentAvailability?
    var status: HTTPResponse.Status { .accepted }

    /// Why nothing takes the task yet, when no agent of its group is available.
    var message: String? {
        guard let availability, !availability.hasAvailableAgent else { return nil }
        return availability.explanation + " The task is queued and runs when an agent of the group takes it; "
            + "follow it at /api/v1/tasks/\(task.id)."
    }

    /// The task to follow.
    var location: String { "/api/v1/tasks/\(task.id)" }

    /// The answer in the document's shape: the task with the group's available agents and the message beside its fields.
    var answer: Components.Schemas.PendingTask {
        .init(value1: .init(task, environments: environments), value2: .init(availableAgents: availability?.available.count, message: message))
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try ServiceJSON.response(answer, status: .accepted)
        response.headers[.location] = location
        return response
    }
}

extension ConnectorService {
    /// Queues `task` on its runtime environment and answers it once finished within `wait`. Otherwise the request answers
    /// ``TaskPending``: at once when no agent of its Secure Agent group is available (instead of waiting for a task nothing takes),
    /// as soon as the group's last agent is gone, or when `wait` is up.
    func queueAndWait(_ task: TaskRecord, environments: [RuntimeEnvironment], upTo wait: Duration) async throws -> TaskRecord {
        guard let environment = environments.first(where: { $0.id == task.runtimeEnvironmentID }) else {
            throw UseCaseError.notFound("The runtime environment of connection '\(task.connectionName ?? "")' no longer exists.")
        }
        let submitted = try await TaskSubmission(queue: repository).queue(task, on: environment)
        if let gone = submitted.noAgentAvailable { throw TaskPending(task: task, environments: environments, availability: gone) }
        guard wait > .zero else { throw try await pending(task, environments: environments) }
        switch try await taskWaiter.wait(for: submitted, until: .now + wait) {
        case .finished(let finished): return finished
        case .stillPending(let current): throw try await pending(current, environments: environments)
        case .noAgentLeft(let current, let gone): throw TaskPending(task: current, environments: environments, availability: gone)
        }
    }

    /// Finishes in this process wake a waiter through the signal; so do other processes' on a repository that announces them, where the
    /// fallback read is only for a moment the relay is reconnecting. Elsewhere (a SQLite file another process also writes) it reads often.
    var taskWaiter: TaskWaiter {
        TaskWaiter(tasks: repository, finishes: taskFinishes, polling: repository is any TaskFinishFeed ? .seconds(1) : .milliseconds(20))
    }

    /// The answer for a task still pending once the request stopped waiting, with its group's agents as they stand now.
    func pending(_ task: TaskRecord, environments: [RuntimeEnvironment]) async throws -> TaskPending {
        TaskPending(task: task, environments: environments, availability: try await agents(of: task, environments: environments))
    }

    private func agents(of task: TaskRecord, environments: [RuntimeEnvironment]) async throws -> AgentAvailability? {
        guard let environment = environments.first(where: { $0.id == task.runtimeEnvironmentID }) else { return nil }
        return try await AgentAvailability.of(environment, in: repository)
    }

    static func taskID(_ context: ServiceContext) throws -> TaskID {
        try GeneratedAPI.taskID(try context.pathParameter("id"))
    }
}
