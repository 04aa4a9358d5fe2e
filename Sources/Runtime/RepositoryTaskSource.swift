import Connector
public import Foundation
import QlikCloudAPI
public import QlikConnections
public import Repository
public import Secrets

/// Tasks straight from the repository, for workers inside the service:
/// credentials are opened with the service's own key.
public struct RepositoryTaskSource: TaskSource {
    let repository: any ConnectorRepository
    let keyring: LiveKeyring?
    let resolver: SecretReferenceResolver
    let owner: String
    public let lease: TimeInterval
    /// The runtime environments this worker takes tasks from, asked before each claim.
    let environments: @Sendable () async throws -> [RuntimeEnvironmentID]
    /// Told of each task finished here, so a request of this process waiting for it wakes at once.
    let finishes: TaskFinishSignal?

    public init(repository: any ConnectorRepository, keyring: LiveKeyring?, resolver: SecretReferenceResolver, owner: String, lease: TimeInterval = 20,
                finishes: TaskFinishSignal? = nil, environments: @escaping @Sendable () async throws -> [RuntimeEnvironmentID]) {
        self.repository = repository
        self.finishes = finishes
        self.keyring = keyring
        self.resolver = resolver
        self.owner = owner
        self.lease = lease
        self.environments = environments
    }

    public func claim() async throws -> ClaimedTask? {
        guard let record = try await repository.claim(in: try await environments(), owner: owner, lease: lease, now: Date()) else { return nil }
        guard let claim = record.lease else {
            throw RepositoryError.corrupt(reason: "the queue answered a claim of task \(record.id) without a lease token")
        }
        return ClaimedTask(record: record, lease: claim, connection: try await TaskConnections.resolve(record, in: repository,
                                                                                                       keyring: TaskConnections.requiring(keyring), resolver: resolver))
    }

    public func renew(_ claim: TaskLease) async throws -> Bool {
        try await repository.renewLease(claim, owner: owner, until: Date().addingTimeInterval(lease))
    }

    public func finish(_ claim: TaskLease, _ outcome: TaskOutcome) async throws {
        guard try await repository.finish(claim, owner: owner, succeeded: outcome.succeeded, result: outcome.result, error: outcome.error, at: Date()) else {
            throw TaskLeaseLost("The queue no longer leases task \(claim.task) to this claim of \(owner) (its lease ran out and the task was claimed "
                + "again, or it finished).")
        }
        finishes?.finished(claim.task)
    }

    public func log(_ claim: TaskLease, _ lines: [TaskLogLine]) async throws {
        guard try await repository.appendLog(claim, owner: owner, lines) else {
            throw TaskLeaseLost("The queue no longer leases task \(claim.task) to this claim of \(owner): its log lines were not kept.")
        }
    }
}

/// A task's connection, read from the repository with its credentials in
/// hand where this process runs it: sealed values opened with the service's
/// key, secret references resolved from the organization's secrets manager
/// (the serverless environment does what an agent does).
public enum TaskConnections {
    /// `keyring` is asked for a keyring holding the key id a sealed value names.
    public static func resolve(_ record: TaskRecord, in repository: any ConnectorRepository, keyring: @escaping @Sendable (String) async throws -> Keyring,
                               resolver: SecretReferenceResolver) async throws -> Result<TaskConnection, TaskCredentialsUnavailable>? {
        guard let connection = try await AgentAssignment.connection(of: record, repository: repository, keyring: keyring) else { return nil }
        return await AgentAssignment.resolve(connection, named: record.connectionName, with: resolver, store: nil)
    }

    /// The key as the opening of sealed values asks for it: the keys held, read again when they lack the one a value
    /// names (another process rotated it); without any, the task says there is none here.
    static func requiring(_ keyring: LiveKeyring?) -> @Sendable (String) async throws -> Keyring {
        { keyID in
            guard let keyring else { throw TaskCredentialsUnavailable("This runtime environment has no master key loaded to open stored credentials.") }
            return try await keyring.keyring(holding: keyID)
        }
    }

    /// The task's connection as stored now, or why it is not the one the task was queued for; nil for a task on no connection.
    static func load(_ record: TaskRecord, in repository: any ConnectorRepository) async throws -> Result<StoredConnection, TaskCredentialsUnavailable>? {
        guard let name = record.connectionName else { return nil }
        let connection: StoredConnection
        do {
            connection = try await repository.connection(named: name, in: record.organizationID)
        } catch RepositoryError.notFound {
            return .failure(TaskCredentialsUnavailable("Connection '\(name)' was deleted after the task was queued."))
        }
        guard connection.id == record.connectionID else {
            return .failure(TaskCredentialsUnavailable("Connection '\(name)' was replaced after the task was queued."))
        }
        return .success(connection)
    }
}
