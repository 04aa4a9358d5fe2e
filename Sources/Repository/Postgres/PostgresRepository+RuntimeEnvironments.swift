import Foundation
import PostgresNIO
public import QlikConnections

extension PostgresRepository: RuntimeEnvironmentStore {
    public func createRuntimeEnvironment(_ environment: RuntimeEnvironment, by actor: AuditActor) async throws {
        // Exclusive: the look-alike comparison reads the organization's names, which no stored key guards.
        try await write(.exclusive) { session in
            try await self.insertEnvironment(session, environment)
            try await self.audit(session, organization: environment.organizationID, actor: actor, action: "runtime-environment.create",
                                 targetKind: "runtime-environment", targetID: environment.id.description, targetName: environment.name.value)
        }
    }

    public func runtimeEnvironments(of organization: OrganizationID) async throws -> [RuntimeEnvironment] {
        try await read { session in try await self.environments(session, of: organization) }
    }

    public func deleteRuntimeEnvironment(named name: String, in organization: OrganizationID, by actor: AuditActor) async throws -> RuntimeEnvironment {
        let key = try RuntimeEnvironmentName(name).comparisonKey
        return try await write { session in
            guard let environment = try await session.first("""
                SELECT * FROM runtime_environments WHERE organization_id = \(organization.description) AND name_key = \(key) FOR UPDATE
                """).map(StoredValues.environment) else {
                throw RepositoryError.notFound(kind: "runtime environment", name: name, organization: nil,
                                               among: try await self.environments(session, of: organization).map(\.name.value))
            }
            if environment.kind == .serverless { throw RepositoryError.cannotDeleteServerless }
            let users = try await session.rows("""
                SELECT name FROM connections WHERE runtime_environment_id = \(environment.id.description) ORDER BY name_key
                """).map { try $0.text("name") }
            if !users.isEmpty { throw RepositoryError.runtimeEnvironmentInUse(name: environment.name.value, connections: users) }
            try await session.execute("DELETE FROM runtime_environments WHERE id = \(environment.id.description)")
            try await self.audit(session, organization: organization, actor: actor, action: "runtime-environment.delete",
                                 targetKind: "runtime-environment", targetID: environment.id.description, targetName: environment.name.value)
            return environment
        }
    }

    func environments(_ session: PostgresSession, of organization: OrganizationID) async throws -> [RuntimeEnvironment] {
        try await session.rows("""
            SELECT * FROM runtime_environments WHERE organization_id = \(organization.description) ORDER BY kind DESC, name_key
            """).map(StoredValues.environment)
    }

    func insertEnvironment(_ session: PostgresSession, _ environment: RuntimeEnvironment) async throws {
        if try await session.first("""
            SELECT 1 FROM runtime_environments WHERE organization_id = \(environment.organizationID.description) AND name_key = \(environment.name.comparisonKey)
            """) != nil {
            throw RepositoryError.duplicateName(kind: "runtime environment", name: environment.name.value)
        }
        try LookalikeNames.refuse(environment.name.value, kind: "runtime environment", among: try await session.rows("""
            SELECT name FROM runtime_environments WHERE organization_id = \(environment.organizationID.description)
            """).map { try $0.text("name") })
        do {
            try await session.execute("""
                INSERT INTO runtime_environments (id, organization_id, name, name_key, kind, created_at)
                VALUES (\(environment.id.description), \(environment.organizationID.description), \(environment.name.value),
                        \(environment.name.comparisonKey), \(environment.kind.rawValue), \(environment.createdAt.millisecondsSince1970))
                """)
        } catch where PostgresFailure.isUniqueViolation(error) {
            throw RepositoryError.duplicateName(kind: "runtime environment", name: environment.name.value)
        }
    }
}
