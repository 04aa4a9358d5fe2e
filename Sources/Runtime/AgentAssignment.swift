public import Foundation
import QlikCloudAPI
public import QlikConnections

/// A task as the service hands it to a Secure Agent over HTTPS: what to
/// run and, for a connection whose credentials the service holds, the
/// credentials themselves (kept in the agent's memory only).
public struct AgentAssignment: Codable, Sendable {
    public struct Connection: Codable, Sendable {
        public let baseURL: String
        public let authenticationType: String
        public let accessToken: String?
        public let clientID: String?
        public let clientSecret: String?
        /// Why the service cannot hand the credentials over (resolved on the agent, or not at all).
        public let unavailable: String?
    }

    public let taskID: String
    public let organizationID: String
    public let runtimeEnvironmentID: String
    public let kind: String
    public let payload: String
    public let attempts: Int
    public let maxAttempts: Int
    public let requestedBy: String
    public let connectionID: String?
    public let connectionName: String?
    public let connection: Connection?
    /// How long the lease runs; the agent renews it well before.
    public let leaseSeconds: Double

    public init(_ claimed: ClaimedTask, lease: TimeInterval) {
        let record = claimed.record
        taskID = record.id.description
        organizationID = record.organizationID.description
        runtimeEnvironmentID = record.runtimeEnvironmentID.description
        kind = record.kind.rawValue
        payload = String(decoding: record.payload, as: UTF8.self)
        attempts = record.attempts
        maxAttempts = record.maxAttempts
        requestedBy = record.requestedBy
        connectionID = record.connectionID?.description
        connectionName = record.connectionName
        leaseSeconds = lease
        switch claimed.connection {
        case nil:
            connection = nil
        case .failure(let unavailable)?:
            connection = Connection(baseURL: "", authenticationType: "", accessToken: nil, clientID: nil, clientSecret: nil, unavailable: unavailable.description)
        case .success(let resolved)?:
            switch resolved.authentication {
            case .apiKey(let key):
                connection = Connection(baseURL: resolved.baseURL.description, authenticationType: AuthenticationType.apiKey.rawValue,
                                        accessToken: key.reveal(), clientID: nil, clientSecret: nil, unavailable: nil)
            case .oauth2(let id, let secret):
                connection = Connection(baseURL: resolved.baseURL.description, authenticationType: AuthenticationType.oauth2.rawValue,
                                        accessToken: nil, clientID: id.reveal(), clientSecret: secret.reveal(), unavailable: nil)
            }
        }
    }

    /// The task back as the agent's worker runs it.
    public func claimed() throws -> ClaimedTask {
        guard let task = UUID(uuidString: taskID), let organization = UUID(uuidString: organizationID),
              let environment = UUID(uuidString: runtimeEnvironmentID), let kind = TaskKind(rawValue: kind) else {
            throw TaskCredentialsUnavailable("The service sent a task this agent cannot read (kind '\(kind)'); upgrade the agent.")
        }
        let record = TaskRecord(id: TaskID(task), organizationID: OrganizationID(organization), runtimeEnvironmentID: RuntimeEnvironmentID(environment),
                                connectionID: connectionID.flatMap(UUID.init(uuidString:)).map(ConnectionID.init), connectionName: connectionName,
                                kind: kind, payload: Data(payload.utf8), state: .running, attempts: attempts, maxAttempts: maxAttempts, leaseOwner: nil,
                                leaseExpiresAt: nil, requestedBy: requestedBy, createdAt: Date(), startedAt: Date(), finishedAt: nil, result: nil, error: nil)
        return ClaimedTask(record: record, connection: try connection.map(Self.resolve))
    }

    private static func resolve(_ connection: Connection) throws -> Result<TaskConnection, TaskCredentialsUnavailable> {
        if let unavailable = connection.unavailable { return .failure(TaskCredentialsUnavailable(unavailable)) }
        let baseURL = try TenantURL(connection.baseURL, policy: .allowCustomHosts)
        switch connection.authenticationType {
        case AuthenticationType.apiKey.rawValue:
            guard let key = connection.accessToken.flatMap(Secret.init) else { return .failure(TaskCredentialsUnavailable("The service sent no access token.")) }
            return .success(TaskConnection(baseURL: baseURL, authentication: .apiKey(key)))
        default:
            guard let id = connection.clientID.flatMap(Secret.init), let secret = connection.clientSecret.flatMap(Secret.init) else {
                return .failure(TaskCredentialsUnavailable("The service sent no client id or secret."))
            }
            return .success(TaskConnection(baseURL: baseURL, authentication: .oauth2(clientID: id, clientSecret: secret)))
        }
    }
}

/// How an agent reports a task's end, with the log lines it has not sent yet.
public struct AgentTaskOutcome: Codable, Sendable {
    public let succeeded: Bool
    public let result: String?
    public let error: String?
    public let logs: [TaskLogLine]?

    public init(_ outcome: TaskOutcome, logs: [TaskLogLine] = []) {
        succeeded = outcome.succeeded
        result = outcome.result.map { String(decoding: $0, as: UTF8.self) }
        error = outcome.error
        self.logs = logs.isEmpty ? nil : logs
    }

    public var outcome: TaskOutcome { TaskOutcome(succeeded: succeeded, result: result.map { Data($0.utf8) }, error: error) }
}
