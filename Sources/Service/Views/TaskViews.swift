import Foundation
import QlikConnections
import Repository

/// A task as the API shows it: where it runs, how far it got, how it ended.
struct TaskView: Codable, Sendable {
    let id: String
    let kind: String
    let state: String
    let connection: String?
    let runtimeEnvironment: String
    let attempts: Int
    let maxAttempts: Int
    let requestedBy: String
    let createdAt: Date
    let startedAt: Date?
    let finishedAt: Date?
    let error: String?

    init(_ task: TaskRecord, environments: [RuntimeEnvironment]) {
        id = task.id.description
        kind = task.kind.rawValue
        state = task.state.rawValue
        connection = task.connectionName
        runtimeEnvironment = environments.first { $0.id == task.runtimeEnvironmentID }?.name.value ?? task.runtimeEnvironmentID.description
        attempts = task.attempts
        maxAttempts = task.maxAttempts
        requestedBy = task.requestedBy
        createdAt = task.createdAt
        startedAt = task.startedAt
        finishedAt = task.finishedAt
        error = task.error
    }
}

struct TaskLogLineView: Codable, Sendable {
    let at: Date
    let level: String
    let message: String

    init(_ line: TaskLogLine) {
        at = line.at
        level = line.level
        message = line.message
    }
}

/// An agent as the API shows it (never its token).
struct AgentView: Codable, Sendable {
    let id: String
    let name: String
    let runtimeEnvironment: String
    let host: String?
    let version: String?
    let createdAt: Date
    let lastHeartbeatAt: Date?
    let status: String
    /// Only in the answer to the create: the one time the agent's token is shown.
    let token: String?

    init(_ agent: Agent, environments: [RuntimeEnvironment], now: Date = Date(), token: String? = nil) {
        id = agent.id.description
        name = agent.name
        runtimeEnvironment = environments.first { $0.id == agent.runtimeEnvironmentID }?.name.value ?? agent.runtimeEnvironmentID.description
        host = agent.host
        version = agent.version
        createdAt = agent.createdAt
        lastHeartbeatAt = agent.lastHeartbeatAt
        status = agent.lastHeartbeatAt == nil ? "never-seen" : agent.isAvailable(at: now) ? "available" : "unavailable"
        self.token = token
    }
}
