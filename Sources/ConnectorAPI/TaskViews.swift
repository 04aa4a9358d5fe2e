public import Foundation
public import QlikConnections
import Repository

/// A task as the API shows it: where it runs, how far it got, how it ended.
public struct TaskView: Codable, Sendable {
    public let id: String
    public let kind: String
    public let state: String
    public let connection: String?
    public let runtimeEnvironment: String
    public let attempts: Int
    public let maxAttempts: Int
    public let requestedBy: String
    public let createdAt: Date
    public let startedAt: Date?
    public let finishedAt: Date?
    public let error: String?

    public init(_ task: TaskRecord, environments: [RuntimeEnvironment]) {
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

public struct TaskLogLineView: Codable, Sendable {
    public let at: Date
    public let level: String
    public let message: String

    public init(_ line: TaskLogLine) {
        at = line.at
        level = line.level
        message = line.message
    }
}

/// An agent as the API shows it (never its token).
public struct AgentView: Codable, Sendable {
    public let id: String
    public let name: String
    public let runtimeEnvironment: String
    public let host: String?
    public let version: String?
    public let createdAt: Date
    public let lastHeartbeatAt: Date?
    public let status: String
    /// Only in the answer to the create: the one time the agent's token is shown.
    public let token: String?

    public init(_ agent: Agent, environments: [RuntimeEnvironment], now: Date = Date(), token: String? = nil) {
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
