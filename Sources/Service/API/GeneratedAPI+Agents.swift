import ConnectorAPI
import Foundation
import QlikConnections
import Repository
import Runtime
import UseCases

/// The agents' side of the API (`/api/v1/agent/...`) as the generated server calls it: each operation reads its typed
/// input, works on the repository and answers its typed output. The calling agent is the one ``GeneratedCallScope`` bound
/// for the request; errors are thrown as ``APIError``.
extension GeneratedAPI {
    func agentHeartbeat(_ input: Operations.AgentHeartbeat.Input) async throws -> Operations.AgentHeartbeat.Output {
        let agent = try GeneratedCallScope.callingAgent()
        let beat = switch input.body { case .json(let body): body }
        let lease = min(Agent.leaseRange.upperBound, max(Agent.leaseRange.lowerBound, beat.leaseSeconds ?? Agent.defaultLease))
        try await service.repository.heartbeat(agent.id, host: String(beat.host.prefix(255)), version: String(beat.version.prefix(64)), lease: lease, at: Date())
        let group = try await service.repository.runtimeEnvironments(of: agent.organizationID).first { $0.id == agent.runtimeEnvironmentID }
        return .ok(.init(body: .json(.init(agent: agent.name, runtimeEnvironment: group?.name.value ?? ""))))
    }

    func agentStop(_ input: Operations.AgentStop.Input) async throws -> Operations.AgentStop.Output {
        // A clean stop signs off, so that commands stop waiting for this agent at once rather than when its lease runs out.
        try await service.repository.signOff(try GeneratedCallScope.callingAgent().id, at: Date())
        return .noContent(.init())
    }

    func agentClaim(_ input: Operations.AgentClaim.Input) async throws -> Operations.AgentClaim.Output {
        let agent = try GeneratedCallScope.callingAgent()
        let asked = switch input.body { case .json(let body): body }
        guard asked.sendsLeaseToken else { throw GeneratedCallScope.claimWithoutLeaseToken }
        let lease = ConnectorService.leaseLength(asked.leaseSeconds)
        guard let record = try await service.repository.claim(in: [agent.runtimeEnvironmentID], owner: ConnectorService.owner(agent), lease: lease,
                                                              now: Date()) else {
            return .noContent(.init())
        }
        let assignment = try await AgentAssignment.make(record, repository: service.repository, keyring: service.keys, lease: lease)
        return .ok(.init(body: .json(try Components.Schemas.AgentAssignment(assignment))))
    }

    func agentRenewLease(_ input: Operations.AgentRenewLease.Input) async throws -> Operations.AgentRenewLease.Output {
        let agent = try GeneratedCallScope.callingAgent()
        let lease = try ConnectorService.lease(task: input.path.id, token: input.headers.leaseToken)
        let asked = switch input.body { case .json(let body): body }
        let until = Date().addingTimeInterval(ConnectorService.leaseLength(asked.leaseSeconds))
        guard try await service.repository.renewLease(lease, owner: ConnectorService.owner(agent), until: until) else {
            throw try await service.agentRefusal(of: lease.task, to: agent, writing: "lease renewal")
        }
        return .noContent(.init())
    }

    func agentFinishTask(_ input: Operations.AgentFinishTask.Input) async throws -> Operations.AgentFinishTask.Output {
        let agent = try GeneratedCallScope.callingAgent()
        let lease = try ConnectorService.lease(task: input.path.id, token: input.headers.leaseToken)
        let id = lease.task
        let report = switch input.body { case .json(let body): body }
        let reported = TaskOutcome(succeeded: report.succeeded, result: report.result.map { Data($0.utf8) }, error: report.error)
        let task = try await service.repository.task(id, in: agent.organizationID)
        guard task.runtimeEnvironmentID == agent.runtimeEnvironmentID else { throw ConnectorService.unseenTask(id) }
        // A result that is not what the task's kind gives fails the task, saying why, instead of breaking whoever reads it later.
        let malformed = TaskResultCheck.problem(with: reported.result, of: task.kind, succeeded: reported.succeeded)
        let outcome = malformed.map { TaskOutcome(succeeded: false, error: $0.description) } ?? reported
        // Only the lease holder's outcome and lines are kept, together, while the task runs: this agent's claim, not any of its claims.
        let recorded = try await service.repository.finish(lease, in: agent.organizationID, owner: ConnectorService.owner(agent),
                                                           succeeded: outcome.succeeded, result: outcome.result, error: outcome.error,
                                                           logs: (report.logs ?? []).map(TaskLogLine.init), at: Date())
        guard recorded else { throw try await service.agentRefusal(of: id, to: agent, writing: "outcome and log lines") }
        service.taskFinishes.finished(id)
        if let malformed {
            throw APIError(.unprocessableContent, code: "result_malformed", malformed.description + " The task was recorded as failed with this error.",
                           field: "result")
        }
        return .noContent(.init())
    }

    func agentTaskLogs(_ input: Operations.AgentTaskLogs.Input) async throws -> Operations.AgentTaskLogs.Output {
        let agent = try GeneratedCallScope.callingAgent()
        let lease = try ConnectorService.lease(task: input.path.id, token: input.headers.leaseToken)
        let lines = switch input.body { case .json(let body): body }
        guard try await service.repository.appendLog(lease, owner: ConnectorService.owner(agent), lines.map(TaskLogLine.init)) else {
            throw try await service.agentRefusal(of: lease.task, to: agent, writing: "log lines")
        }
        return .noContent(.init())
    }
}

/// Administrators' side: create agents (each gets a `qca_` token, shown once) and list them.
extension GeneratedAPI {
    func createAgent(_ input: Operations.CreateAgent.Input) async throws -> Operations.CreateAgent.Output {
        let principal = try GeneratedCallScope.callingUser()
        try principal.require(.admin)
        let group = try await service.agentGroup(named: input.path.name, in: principal.organizationID)
        let asked = switch input.body { case .json(let body): body }
        let (agent, secret) = try await AgentEnrollment(agents: service.repository).create(named: asked.name, in: group, by: service.actor(principal))
        return .created(.init(body: .json(.init(agent, environments: [group], token: secret))))
    }

    func listAgents(_ input: Operations.ListAgents.Input) async throws -> Operations.ListAgents.Output {
        let principal = try GeneratedCallScope.callingUser()
        let environments = try await service.repository.runtimeEnvironments(of: principal.organizationID)
        return .ok(.init(body: .json(try await service.repository.agents(of: principal.organizationID).map { .init($0, environments: environments) })))
    }
}

extension Components.Schemas.AgentAssignment {
    /// The assignment in the document's shape. Its connection goes through its JSON: the secrets manager's credentials are
    /// Secrets' own, which encodes them (their values are not readable outside it); the rest is copied, as a no-op or a task
    /// without a connection is most of a busy queue's claims.
    init(_ assignment: AgentAssignment) throws {
        guard let kind = KindPayload(rawValue: assignment.kind), let leaseToken = assignment.leaseToken else {
            throw APIError(.internalServerError, code: "internal", "The claimed task could not be handed out.",
                           detail: "task \(assignment.taskID): kind '\(assignment.kind)' or its lease token is not what openapi.yaml documents")
        }
        let connection = try assignment.connection.map { connection in
            try ServiceJSON.decoder.decode(Components.Schemas.AgentAssignmentConnection.self, from: ServiceJSON.encoder.encode(connection))
        }
        self.init(taskID: assignment.taskID, organizationID: assignment.organizationID, runtimeEnvironmentID: assignment.runtimeEnvironmentID,
                  kind: kind, payload: assignment.payload, attempts: assignment.attempts, maxAttempts: assignment.maxAttempts,
                  requestedBy: assignment.requestedBy, connectionID: assignment.connectionID, connectionName: assignment.connectionName,
                  connection: connection, leaseSeconds: assignment.leaseSeconds, leaseToken: leaseToken)
    }
}

extension TaskLogLine {
    init(_ line: Components.Schemas.TaskLogLine) {
        self.init(at: line.at, level: line.level, message: line.message)
    }
}
