public import Connector
public import Foundation
public import QlikConnections
public import Repository
public import Runtime

/// How a Test Connection request ended.
public enum ConnectionTestOutcome: Sendable {
    /// The test ran; its report, encoded as it was kept as the connection's last test.
    case report(ConnectionTestReport, encoded: Data)
    /// The task did not finish while the request waited: still queued or running, or no agent of its Secure Agent group
    /// is available (`availability` says so; nil on the serverless environment). It stays queued.
    case pending(TaskRecord, environments: [RuntimeEnvironment], availability: AgentAvailability?)
}

/// Test Connection, the one way the API, the console and the command line
/// run it: a task on the connection's runtime environment, whose report is
/// checked, kept as the connection's last test and counted.
public struct ConnectionTesting: Sendable {
    let repository: any ConnectorRepository
    let keys: SealingKeys
    let encode: @Sendable (ConnectionTestReport) throws -> Data
    let onTested: @Sendable (_ succeeded: Bool) -> Void

    /// `encode`: the report's JSON as the entry point shows it (kept as it is encoded); `onTested` hears each verdict kept (metrics).
    public init(repository: any ConnectorRepository, keys: SealingKeys, encode: @escaping @Sendable (ConnectionTestReport) throws -> Data,
                onTested: @escaping @Sendable (_ succeeded: Bool) -> Void = { _ in }) {
        self.repository = repository
        self.keys = keys
        self.encode = encode
        self.onTested = onTested
    }

    /// Queues Test Connection on the connection's runtime environment and waits for it through `waiter` up to `wait`
    /// (zero: not at all); pending at once when no agent of its Secure Agent group is available.
    public func test(named name: String, in organization: OrganizationID, by actor: AuditActor, waiter: TaskWaiter, upTo wait: Duration)
        async throws -> ConnectionTestOutcome {
        let connection = try await repository.connection(named: name, in: organization)
        let environments = try await repository.runtimeEnvironments(of: organization)
        try ServerlessRunCheck.check(connection, in: environments, keys: keys)
        guard let environment = environments.first(where: { $0.id == connection.runtimeEnvironmentID }) else {
            throw UseCaseError.notFound("The runtime environment of connection '\(connection.name)' no longer exists.")
        }
        let task = TaskRecord(organizationID: organization, runtimeEnvironmentID: environment.id, connectionID: connection.id,
                              connectionName: connection.name.value, kind: .test, requestedBy: actor.name)
        let submitted = try await TaskSubmission(queue: repository).queue(task, on: environment)
        if let gone = submitted.noAgentAvailable { return .pending(task, environments: environments, availability: gone) }
        guard wait > .zero else {
            return .pending(task, environments: environments, availability: try await AgentAvailability.of(environment, in: repository))
        }
        switch try await waiter.wait(for: submitted, until: .now + wait) {
        case .finished(let finished):
            let (report, encoded) = try await record(finished, of: connection, by: actor)
            return .report(report, encoded: encoded)
        case .stillPending(let current):
            return .pending(current, environments: environments, availability: try await AgentAvailability.of(environment, in: repository))
        case .noAgentLeft(let current, let gone):
            return .pending(current, environments: environments, availability: gone)
        }
    }

    /// The report of a finished Test Connection task on `connection`, kept as its last test. A task that ended without a
    /// readable report is refused as the failed task it is (``UseCaseError/Kind/conflict``, `task_failed`).
    public func record(_ task: TaskRecord, of connection: StoredConnection, by actor: AuditActor) async throws -> (ConnectionTestReport, Data) {
        guard let result = task.result else {
            throw UseCaseError.conflict("task_failed", "Test Connection could not run on its runtime environment: \(task.error ?? "no reason given").")
        }
        let report: ConnectionTestReport
        do {
            report = try TaskResultCheck.decode(ConnectionTestReport.self, from: result, of: .test)
        } catch {
            // Kept before results were checked on arrival: the failed task it is, never the entry point's own failure.
            throw UseCaseError.conflict("task_failed", "Test Connection could not run on its runtime environment: \(error.description)")
        }
        let encoded = try encode(report)
        try await repository.recordTest(
            ConnectionTestRecord(connectionID: connection.id, testedAt: report.startedAt, succeeded: report.succeeded, summary: report.summary, report: encoded),
            of: connection, by: actor)
        onTested(report.succeeded)
        return (report, encoded)
    }
}
