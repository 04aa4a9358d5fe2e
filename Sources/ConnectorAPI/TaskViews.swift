package import Foundation
package import QlikConnections
import Repository

extension Components.Schemas.Task {
    /// A task as the API and the command line show it: where it runs, how far it got, how it ended.
    package init(_ task: TaskRecord, environments: [RuntimeEnvironment]) {
        let kind: KindPayload = switch task.kind {
        case .test: .test
        case .discover: .discover
        case .read: .read
        case .write: .write
        case .reload: .reload
        case .noop: .noop
        }
        let state: StatePayload = switch task.state {
        case .queued: .queued
        case .running: .running
        case .succeeded: .succeeded
        case .failed: .failed
        }
        self.init(id: task.id.description, kind: kind, state: state, connection: task.connectionName,
                  runtimeEnvironment: environments.shownName(of: task.runtimeEnvironmentID),
                  attempts: task.attempts, maxAttempts: task.maxAttempts, requestedBy: task.requestedBy, createdAt: task.createdAt,
                  startedAt: task.startedAt, finishedAt: task.finishedAt, error: task.error)
    }
}

extension Components.Schemas.TaskLogLine {
    package init(_ line: TaskLogLine) {
        self.init(at: line.at, level: line.level, message: line.message)
    }
}

extension Components.Schemas.Agent {
    /// An agent as the API and the command line show it; its token only in the answer to the create, the one time it is shown.
    package init(_ agent: Agent, environments: [RuntimeEnvironment], now: Date = Date(), token: String? = nil) {
        let status: StatusPayload = agent.lastHeartbeatAt == nil ? .neverSeen : agent.isAvailable(at: now) ? .available : .unavailable
        self.init(id: agent.id.description, name: agent.name,
                  runtimeEnvironment: environments.shownName(of: agent.runtimeEnvironmentID),
                  host: agent.host, version: agent.version, createdAt: agent.createdAt, lastHeartbeatAt: agent.lastHeartbeatAt, status: status,
                  token: token)
    }
}

extension [RuntimeEnvironment] {
    /// The name of the environment `id` names, or the id itself once the environment is gone.
    func shownName(of id: RuntimeEnvironmentID) -> String {
        first { $0.id == id }?.name.value ?? id.description
    }
}
