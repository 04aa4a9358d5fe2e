import Foundation
import QlikConnections
import Repository

/// Why an agent's write to a task (log lines, renewal, outcome) was refused. The write itself is conditional in the
/// repository (only the lease holder of a running task writes); this read afterwards only chooses the words and the status:
/// 404 for a task the agent cannot see (another organization's or another group's), 409 for one this claim does not hold.
extension ConnectorService {
    func agentRefusal(of task: TaskID, to agent: Agent, writing what: String) async throws -> APIError {
        let record: TaskRecord
        do {
            record = try await repository.task(task, in: agent.organizationID)
        } catch RepositoryError.notFound {
            return Self.unseenTask(task)
        }
        guard record.runtimeEnvironmentID == agent.runtimeEnvironmentID else { return Self.unseenTask(task) }
        if record.state.isFinished {
            return APIError(.conflict, code: "task_finished", "Task \(task) already \(record.state.rawValue): not kept, its \(what). Stop working on the task.")
        }
        let now = switch record.state {
        case .queued: "it is queued, waiting for an agent to claim it"
        // The same agent claimed it again (another of its workers, after this claim's lease ran out): a claim is the holder, not an agent.
        case _ where record.leaseOwner == Self.owner(agent):
            "this agent claimed it again under another lease token (another of its workers, after this claim's lease ran out)"
        default: "another agent runs it (if this agent ran it, its lease ran out)"
        }
        return APIError(.conflict, code: "lease_lost",
                        "The lease token sent does not hold task \(task)'s lease: \(now). Not kept, its \(what). Stop working on the task.")
    }

    static func unseenTask(_ task: TaskID) -> APIError {
        APIError(.notFound, code: "not_found", "Task \(task) does not exist in this agent's Secure Agent group.")
    }
}
