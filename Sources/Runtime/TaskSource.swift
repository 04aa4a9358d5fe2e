public import Foundation
public import QlikCloudAPI
public import QlikConnections

/// A task handed to a worker, with what it needs to run: the connection's
/// tenant and credentials (in memory only), or why this worker cannot have
/// them; nil when the task is on no connection. `lease` names this claim in
/// every renewal, log line and outcome.
public struct ClaimedTask: Sendable {
    public let record: TaskRecord
    public let lease: TaskLease
    public let connection: Result<TaskConnection, TaskCredentialsUnavailable>?

    public init(record: TaskRecord, lease: TaskLease, connection: Result<TaskConnection, TaskCredentialsUnavailable>?) {
        self.record = record
        self.lease = lease
        self.connection = connection
    }
}

/// The connection a task runs on, credentials resolved.
public struct TaskConnection: Sendable {
    public let baseURL: TenantURL
    public let authentication: ResolvedAuthentication
    /// The operator's allow-list as read for this task: checked right before each request to the tenant.
    public let hosts: TenantHostPolicy

    public init(baseURL: TenantURL, authentication: ResolvedAuthentication, hosts: TenantHostPolicy) {
        self.baseURL = baseURL
        self.authentication = authentication
        self.hosts = hosts
    }
}

/// Why a worker cannot have a connection's credentials, in words for its task's error.
public struct TaskCredentialsUnavailable: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Where a worker gets tasks and reports on them: the repository directly
/// (the service's serverless pool) or the service over HTTPS (a Secure Agent).
/// Every report names the claim (``ClaimedTask/lease``), not only the task.
public protocol TaskSource: Sendable {
    /// How long a claimed task is leased; the worker renews it well before.
    var lease: TimeInterval { get }
    func claim() async throws -> ClaimedTask?
    /// False when the lease was lost (it ran out and another claim took the task); ``TaskLeaseLost`` when the service said so otherwise.
    func renew(_ lease: TaskLease) async throws -> Bool
    /// Records the outcome. Throws ``TaskLeaseLost`` when this claim no longer holds the task (nothing was recorded), and
    /// ``TaskOutcomeRefused`` when the service refused the outcome and failed the task instead.
    func finish(_ lease: TaskLease, _ outcome: TaskOutcome) async throws
    /// Throws ``TaskLeaseLost`` when this claim no longer holds the task: its lines were not kept, and the run should stop.
    func log(_ lease: TaskLease, _ lines: [TaskLogLine]) async throws
}

/// This worker no longer holds the task's lease (it ran out and another worker took the task, or the task finished):
/// what it writes is refused, and it stops working on the task.
public struct TaskLeaseLost: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The service refused a task's outcome (its result is not what the task's kind gives) and recorded the task as failed, saying why.
public struct TaskOutcomeRefused: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// How a task ended.
public struct TaskOutcome: Sendable, Equatable {
    public let succeeded: Bool
    /// JSON (a Test Connection report, ...).
    public let result: Data?
    public let error: String?

    public init(succeeded: Bool, result: Data? = nil, error: String? = nil) {
        self.succeeded = succeeded
        self.result = result
        self.error = error
    }
}
