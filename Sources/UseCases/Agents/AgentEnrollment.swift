import Foundation
public import QlikConnections
public import Repository

/// Creating a Secure Agent of a group and its token, for the API and the
/// command line alike. The token is shown once; only its SHA-256 is kept.
public struct AgentEnrollment: Sendable {
    let agents: any AgentStore

    public init(agents: any AgentStore) {
        self.agents = agents
    }

    /// The agent and its token. Refused when `group` is the serverless environment or `name` does not fit.
    public func create(named name: String, in group: RuntimeEnvironment, by actor: AuditActor) async throws -> (agent: Agent, token: String) {
        try Self.checkAgentGroup(group)
        let agent = Agent(organizationID: group.organizationID, runtimeEnvironmentID: group.id, name: try Self.checkedName(name))
        let token = OpaqueToken.generate(.agent)
        try await agents.createAgent(agent, tokenHash: token.hash, by: actor)
        return (agent, token.text)
    }

    /// Only a Secure Agent group has agents: the serverless environment's tasks run inside the service.
    public static func checkAgentGroup(_ group: RuntimeEnvironment) throws(UseCaseError) {
        guard group.kind == .secureAgentGroup else {
            throw .invalid("name", "'\(group.name)' is the serverless environment: its tasks run inside the service, not on agents.")
        }
    }

    /// The name trimmed, when it takes 1 to 100 letters, digits, - _ and .
    public static func checkedName(_ text: String) throws(UseCaseError) -> String {
        let name = text.trimmingCharacters(in: .whitespaces)
        guard (1...100).contains(name.count), name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw .invalid("name", "An agent name takes 1 to 100 letters, digits, - _ and .; '\(text)' does not fit.")
        }
        return name
    }
}
