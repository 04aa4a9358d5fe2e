import Foundation
import Hummingbird
import HTTPTypes
import QlikConnections
import Repository
import Runtime
import UseCases
import ConnectorAPI

/// Secure Agents: administrators create them (each gets a `qca_` token,
/// shown once); agents call `/api/v1/agent/...` with that token only, pull
/// their group's tasks, renew leases and report outcomes. An agent never
/// touches the database.
extension ConnectorService {
    struct NewAgent: Decodable {
        let name: String
    }

    struct Heartbeat: Decodable {
        let host: String
        let version: String
        /// Seconds this heartbeat vouches for the agent (it sends the next one within them); bounded to 2 to 600, default 20.
        let leaseSeconds: Double?
    }

    struct ClaimRequest: Decodable {
        /// Seconds; bounded to 2 to 300 (default 20).
        let leaseSeconds: Double?
        /// The agent sends each claim's lease token back on renew, logs and finish; an agent that does not say so predates
        /// per-claim leases and gets no task (it could not report on it).
        let sendsLeaseToken: Bool?
    }

    struct RenewRequest: Decodable {
        /// Seconds; bounded to 2 to 300 (default 20).
        let leaseSeconds: Double?
    }

    /// Administrators' side: create agents, list them, ping a group.
    func addAgentAdministrationRoutes(to api: RouterGroup<ServiceContext>) {
        let service = self
        let repository = self.repository
        api.post("runtime-environments/:name/agents") { request, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.admin)
            let group = try await service.agentGroup(named: try context.pathParameter("name"), in: principal.organizationID)
            let asked = try await request.decodeJSON(NewAgent.self)
            let (agent, secret) = try await AgentEnrollment(agents: repository).create(named: asked.name, in: group, by: service.actor(principal))
            return try ServiceJSON.response(AgentView(agent, environments: [group], token: secret), status: .created)
        }
        api.get("agents") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let environments = try await repository.runtimeEnvironments(of: principal.organizationID)
            return try ServiceJSON.response(try await repository.agents(of: principal.organizationID).map { AgentView($0, environments: environments) })
        }
        api.post("runtime-environments/:name/ping") { request, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.designer)
            let environments = try await repository.runtimeEnvironments(of: principal.organizationID)
            let environment = try environments.named(try context.pathParameter("name"), organization: nil)
            let milliseconds = try request.integerQuery("milliseconds") ?? 0
            guard (0...600_000).contains(milliseconds) else { throw APIError.invalid("milliseconds", "milliseconds is \(milliseconds); expected 0 to 600000.") }
            let task = TaskRecord(organizationID: principal.organizationID, runtimeEnvironmentID: environment.id, connectionID: nil, connectionName: nil,
                                  kind: .noop, payload: try TaskResults.encode(NoopPayload(milliseconds: milliseconds)), requestedBy: service.actor(principal).name)
            try await repository.enqueue(task)
            // Answered as every queued task is: with the group's available agents, and why nothing takes it when none is.
            return try await service.pending(task, environments: environments).response(from: request, context: context)
        }
    }

    func agentGroup(named name: String, in organization: OrganizationID) async throws -> RuntimeEnvironment {
        let group = try await repository.runtimeEnvironments(of: organization).named(name, organization: nil)
        try AgentEnrollment.checkAgentGroup(group)
        return group
    }

    /// Agents' side.
    func addAgentRoutes(to router: Router<ServiceContext>) {
        let service = self
        let repository = self.repository
        let keys = self.keys
        let agents = router.group("api/v1/agent").add(middleware: AgentAuthentication(agents: repository, cache: agentTokens))
        agents.post("heartbeat") { request, context -> Response in
            let agent = try context.requireAgent()
            let beat = try await request.decodeJSON(Heartbeat.self)
            let lease = min(Agent.leaseRange.upperBound, max(Agent.leaseRange.lowerBound, beat.leaseSeconds ?? Agent.defaultLease))
            try await repository.heartbeat(agent.id, host: String(beat.host.prefix(255)), version: String(beat.version.prefix(64)), lease: lease, at: Date())
            let group = try await repository.runtimeEnvironments(of: agent.organizationID).first { $0.id == agent.runtimeEnvironmentID }
            return try ServiceJSON.response(["agent": agent.name, "runtimeEnvironment": group?.name.value ?? ""])
        }
        agents.post("stop") { _, context -> Response in
            // A clean stop signs off, so that commands stop waiting for this agent at once rather than when its lease runs out.
            try await repository.signOff(try context.requireAgent().id, at: Date())
            return Response(status: .noContent)
        }
        agents.post("claim") { request, context -> Response in
            let agent = try context.requireAgent()
            let asked = try await request.decodeJSON(ClaimRequest.self)
            guard asked.sendsLeaseToken == true else {
                throw APIError(.badRequest, code: "agent_upgrade_required",
                               "This agent predates per-claim leases: its claim does not say sendsLeaseToken, so it would not send the lease token back "
                                   + "on renew, logs and finish. No task was handed out; upgrade the agent to the service's version.", field: "sendsLeaseToken")
            }
            let lease = Self.leaseLength(asked.leaseSeconds)
            guard let record = try await repository.claim(in: [agent.runtimeEnvironmentID], owner: Self.owner(agent), lease: lease, now: Date()) else {
                return Response(status: .noContent)
            }
            return try ServiceJSON.response(try await AgentAssignment.make(record, repository: repository, keyring: keys, lease: lease))
        }
        agents.post("tasks/:id/renew") { request, context -> Response in
            let agent = try context.requireAgent()
            let lease = try Self.lease(request, context)
            let asked = try await request.decodeJSON(RenewRequest.self)
            let held = try await repository.renewLease(lease, owner: Self.owner(agent), until: Date().addingTimeInterval(Self.leaseLength(asked.leaseSeconds)))
            guard held else { throw try await service.agentRefusal(of: lease.task, to: agent, writing: "lease renewal") }
            return Response(status: .noContent)
        }
        agents.post("tasks/:id/finish") { request, context -> Response in
            let agent = try context.requireAgent()
            let lease = try Self.lease(request, context)
            let id = lease.task
            let report = try await request.decodeJSON(AgentTaskOutcome.self)
            let task = try await repository.task(id, in: agent.organizationID)
            guard task.runtimeEnvironmentID == agent.runtimeEnvironmentID else { throw Self.unseenTask(id) }
            // A result that is not what the task's kind gives fails the task, saying why, instead of breaking whoever reads it later.
            let malformed = TaskResultCheck.problem(with: report.outcome.result, of: task.kind, succeeded: report.outcome.succeeded)
            let outcome = malformed.map { TaskOutcome(succeeded: false, error: $0.description) } ?? report.outcome
            // Only the lease holder's outcome and lines are kept, together, while the task runs: this agent's claim, not any of its claims.
            let recorded = try await repository.finish(lease, in: agent.organizationID, owner: Self.owner(agent), succeeded: outcome.succeeded,
                                                       result: outcome.result, error: outcome.error, logs: report.logs ?? [], at: Date())
            guard recorded else { throw try await service.agentRefusal(of: id, to: agent, writing: "outcome and log lines") }
            service.taskFinishes.finished(id)
            if let malformed {
                throw APIError(.unprocessableContent, code: "result_malformed", malformed.description + " The task was recorded as failed with this error.",
                               field: "result")
            }
            return Response(status: .noContent)
        }
        agents.post("tasks/:id/logs") { request, context -> Response in
            let agent = try context.requireAgent()
            let lease = try Self.lease(request, context)
            let lines = try await request.decodeJSON([TaskLogLineView].self).map { TaskLogLine(at: $0.at, level: $0.level, message: $0.message) }
            guard try await repository.appendLog(lease, owner: Self.owner(agent), lines) else {
                throw try await service.agentRefusal(of: lease.task, to: agent, writing: "log lines")
            }
            return Response(status: .noContent)
        }
    }

    /// Every worker of an agent claims for this one owner: the lease token tells their claims apart.
    static func owner(_ agent: Agent) -> String { "agent:\(agent.id)" }

    /// The lease an agent asked for, within 2 s to 5 minutes (20 s when it asks for none).
    static func leaseLength(_ asked: Double?) -> TimeInterval { min(300, max(2, asked ?? 20)) }

    /// The task of the path and the claim the agent names in header `Lease-Token` (the `leaseToken` of the claim's answer).
    /// Without the header the agent predates per-claim leases: it is not taken for the holder of any claim, and is told to upgrade (428).
    static func lease(_ request: Request, _ context: ServiceContext) throws -> TaskLease {
        let task = try taskID(context)
        guard let token = request.headers[.leaseToken], !token.isEmpty else {
            throw APIError(.preconditionRequired, code: "agent_upgrade_required",
                           "No Lease-Token header: this agent predates per-claim leases, so nothing it sends on task \(task) is taken as the lease "
                               + "holder's. Send the leaseToken of the claim's answer in the Lease-Token header; upgrade the agent to the service's version.",
                           field: "Lease-Token")
        }
        return TaskLease(task: task, token: token)
    }
}

/// Every `/api/v1/agent` route needs `Authorization: Bearer qca_...` of a known agent.
struct AgentAuthentication: RouterMiddleware {
    typealias Context = ServiceContext
    let agents: any AgentStore
    let cache: AgentTokenCache

    func handle(_ request: Request, context: ServiceContext, next: (Request, ServiceContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer \(OpaqueToken.Kind.agent.scheme)") else {
            throw APIError.unauthenticated("Agent routes need 'Authorization: Bearer qca_...', the token its administrator created for the agent.")
        }
        let unknown = APIError.unauthenticated("The agent token is unknown (the agent may have been removed).")
        let token: OpaqueToken
        do {
            token = try OpaqueToken(String(header.dropFirst("Bearer ".count)), as: .agent)
        } catch {
            // A qca_ text of another shape was never issued: answered as any unknown token, without a query.
            throw unknown
        }
        let hash = token.hash
        guard let agent = try await cache.agent(for: hash, lookup: { try await agents.agent(forTokenHash: hash) }) else { throw unknown }
        var context = context
        context.agent = agent
        return try await next(request, context)
    }
}
