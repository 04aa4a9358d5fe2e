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
/// touches the database. (The operations are the generated server's: API/.)
extension ConnectorService {
    func agentGroup(named name: String, in organization: OrganizationID) async throws -> RuntimeEnvironment {
        let group = try await repository.runtimeEnvironments(of: organization).named(name, organization: nil)
        try AgentEnrollment.checkAgentGroup(group)
        return group
    }

    /// Every worker of an agent claims for this one owner: the lease token tells their claims apart.
    static func owner(_ agent: Agent) -> String { "agent:\(agent.id)" }

    /// The lease an agent asked for, within 2 s to 5 minutes (20 s when it asks for none).
    static func leaseLength(_ asked: Double?) -> TimeInterval { min(300, max(2, asked ?? 20)) }

    /// The task of the path and the claim the agent names in header `Lease-Token` (the `leaseToken` of the claim's answer).
    /// Without the header the agent predates per-claim leases: it is not taken for the holder of any claim, and is told to upgrade (428).
    static func lease(_ request: Request, _ context: ServiceContext) throws -> TaskLease {
        try lease(task: try context.pathParameter("id"), token: request.headers[.leaseToken])
    }

    /// The same from the generated server's typed input.
    static func lease(task text: String, token: String?) throws -> TaskLease {
        let task = try GeneratedAPI.taskID(text)
        guard let token, !token.isEmpty else {
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
