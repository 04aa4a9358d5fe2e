public import Foundation
import GRDB
public import QlikConnections

extension SQLiteRepository: AgentStore {
    public func createAgent(_ agent: Agent, tokenHash: Data, by actor: AuditActor) async throws {
        try await write { db in
            do {
                try db.execute(sql: """
                    INSERT INTO agents (id, organization_id, runtime_environment_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [agent.id.description, agent.organizationID.description, agent.runtimeEnvironmentID.description, agent.name,
                                     tokenHash, agent.createdAt.millisecondsSince1970])
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw RepositoryError.duplicateName(kind: "agent in this Secure Agent group", name: agent.name)
            }
            try self.audit(db, organization: agent.organizationID, actor: actor, action: "agent.create", targetKind: "agent",
                           targetID: agent.id.description, targetName: agent.name)
        }
    }

    public func agent(forTokenHash hash: Data) async throws -> Agent? {
        try await read { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM agents WHERE token_hash = ?"), arguments: [hash]).map(StoredValues.agent)
        }
    }

    public func heartbeat(_ agent: AgentID, host: String, version: String, lease: TimeInterval, at: Date) async throws {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE agents SET host = ?, version = ?, last_heartbeat_at = ?, lease_ms = ?, stopped_at = NULL WHERE id = ?")
                .execute(arguments: [host, version, at.millisecondsSince1970, Int64((lease * 1_000).rounded()), agent.description])
        }
    }

    public func signOff(_ agent: AgentID, at: Date) async throws {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE agents SET stopped_at = ? WHERE id = ?").execute(arguments: [at.millisecondsSince1970, agent.description])
        }
    }

    public func agents(of organization: OrganizationID) async throws -> [Agent] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM agents WHERE organization_id = ? ORDER BY name", arguments: [organization.description])
                .map(StoredValues.agent)
        }
    }
}
