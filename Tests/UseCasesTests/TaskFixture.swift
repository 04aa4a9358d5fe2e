import Foundation
import QlikConnections
import Repository
import Synchronization
import TestRepositories

/// A fresh repository with one organization, its serverless environment and a Secure Agent group, for the task use cases.
struct TaskFixture {
    let store: TestRepository
    var repository: any ConnectorRepository { store.repository }
    let organization: Organization
    let serverless: RuntimeEnvironment
    let agents: RuntimeEnvironment
    let actor = AuditActor("test")

    init(_ backend: RepositoryBackend) async throws {
        store = try await TestRepository.make(backend)
        organization = Organization(name: try OrganizationName("Acme"))
        try await store.repository.createOrganization(organization, by: actor)
        serverless = try requireEnvironment(try await store.repository.runtimeEnvironments(of: organization.id).first { $0.kind == .serverless })
        agents = RuntimeEnvironment(organizationID: organization.id, name: try RuntimeEnvironmentName("EU Agents"), kind: .secureAgentGroup)
        try await store.repository.createRuntimeEnvironment(agents, by: actor)
    }

    /// A no-op task (no connection) on `environment`.
    func task(on environment: RuntimeEnvironment) -> TaskRecord {
        TaskRecord(organizationID: organization.id, runtimeEnvironmentID: environment.id, connectionID: nil, connectionName: nil, kind: .noop,
                   requestedBy: actor.name)
    }

    /// An agent of the group that sent a heartbeat just now.
    func liveAgent(_ name: String) async throws -> Agent {
        let agent = Agent(organizationID: organization.id, runtimeEnvironmentID: agents.id, name: name)
        try await repository.createAgent(agent, tokenHash: Data(name.utf8), by: actor)
        try await repository.heartbeat(agent.id, host: "host-a", version: "1.0", at: Date())
        return agent
    }
}

/// The fixture's organization always has its serverless environment; its absence is a broken repository.
private func requireEnvironment(_ environment: RuntimeEnvironment?) throws -> RuntimeEnvironment {
    guard let environment else { throw FixtureError("The new organization has no serverless environment.") }
    return environment
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The queue as the waiter sees it, counting its reads of a task: a wait that sleeps on the signal reads only when woken.
final class CountingTaskQueue: TaskQueue {
    let base: any TaskQueue
    private let count = Mutex(0)
    var reads: Int { count.withLock { $0 } }

    init(_ base: any TaskQueue) { self.base = base }

    func task(_ id: TaskID, in organization: OrganizationID) async throws -> TaskRecord {
        count.withLock { $0 += 1 }
        return try await base.task(id, in: organization)
    }

    func enqueue(_ task: TaskRecord) async throws { try await base.enqueue(task) }
    func enqueueStarted(_ task: TaskRecord, owner: String, lease: TimeInterval, now: Date) async throws -> TaskRecord {
        try await base.enqueueStarted(task, owner: owner, lease: lease, now: now)
    }
    func claim(in environments: [RuntimeEnvironmentID], owner: String, lease: TimeInterval, now: Date) async throws -> TaskRecord? {
        try await base.claim(in: environments, owner: owner, lease: lease, now: now)
    }
    func renewLease(_ lease: TaskLease, owner: String, until: Date) async throws -> Bool { try await base.renewLease(lease, owner: owner, until: until) }
    func finish(_ lease: TaskLease, owner: String, succeeded: Bool, result: Data?, error: String?, at: Date) async throws -> Bool {
        try await base.finish(lease, owner: owner, succeeded: succeeded, result: result, error: error, at: at)
    }
    func finish(_ lease: TaskLease, in organization: OrganizationID, owner: String, succeeded: Bool, result: Data?, error: String?,
                logs: [TaskLogLine], at: Date) async throws -> Bool {
        try await base.finish(lease, in: organization, owner: owner, succeeded: succeeded, result: result, error: error, logs: logs, at: at)
    }
    func appendLog(_ lease: TaskLease, owner: String, _ lines: [TaskLogLine]) async throws -> Bool { try await base.appendLog(lease, owner: owner, lines) }
    func tasks(of organization: OrganizationID, limit: Int) async throws -> [TaskRecord] { try await base.tasks(of: organization, limit: limit) }
    func logs(of task: TaskID) async throws -> [TaskLogLine] { try await base.logs(of: task) }
}
