public import Foundation
import PostgresNIO
public import QlikConnections

extension PostgresRepository: AgentStore {
    public func createAgent(_ agent: Agent, tokenHash: Data, by actor: AuditActor) async throws {
        try await write { session in
            if try await session.first("""
                SELECT 1 FROM agents WHERE runtime_environment_id = \(agent.runtimeEnvironmentID.description) AND name = \(agent.name)
                """) != nil {
                throw RepositoryError.duplicateName(kind: "agent in this Secure Agent group", name: agent.name)
            }
            try await session.execute("""
                INSERT INTO agents (id, organization_id, runtime_environment_id, name, token_hash, created_at)
                VALUES (\(agent.id.description), \(agent.organizationID.description), \(agent.runtimeEnvironmentID.description), \(agent.name),
                        \(tokenHash), \(agent.createdAt.millisecondsSince1970))
                """)
            try await self.audit(session, organization: agent.organizationID, actor: actor, action: "agent.create", targetKind: "agent",
                                 targetID: agent.id.description, targetName: agent.name)
        }
    }

    public func agent(forTokenHash hash: Data) async throws -> Agent? {
        try await read { session in try await session.rows(PreparedQueue.AgentByToken(hash: hash)).first.map(StoredValues.agent) }
    }

    public func heartbeat(_ agent: AgentID, host: String, version: String, lease: TimeInterval, at: Date) async throws {
        try await read { session in
            try await session.execute("""
                UPDATE agents SET host = \(host), version = \(version), last_heartbeat_at = \(at.millisecondsSince1970),
                    lease_ms = \(Int64((lease * 1_000).rounded())), stopped_at = NULL
                WHERE id = \(agent.description)
                """)
        }
    }

    public func signOff(_ agent: AgentID, at: Date) async throws {
        try await read { session in
            try await session.execute("UPDATE agents SET stopped_at = \(at.millisecondsSince1970) WHERE id = \(agent.description)")
        }
    }

    public func agents(of organization: OrganizationID) async throws -> [Agent] {
        try await read { session in
            try await session.rows("SELECT * FROM agents WHERE organization_id = \(organization.description) ORDER BY name").map(StoredValues.agent)
        }
    }
}
