import Foundation
import GRDB
public import QlikConnections

extension SQLiteRepository: RuntimeEnvironmentStore {
    public func createRuntimeEnvironment(_ environment: RuntimeEnvironment, by actor: AuditActor) async throws {
        try await write { db in
            try self.insertEnvironment(db, environment)
            try self.audit(db, organization: environment.organizationID, actor: actor, action: "runtime-environment.create",
                           targetKind: "runtime-environment", targetID: environment.id.description, targetName: environment.name.value)
        }
    }

    public func runtimeEnvironments(of organization: OrganizationID) async throws -> [RuntimeEnvironment] {
        try await read { db in try Self.environments(db, of: organization) }
    }

    public func deleteRuntimeEnvironment(named name: String, in organization: OrganizationID, by actor: AuditActor) async throws -> RuntimeEnvironment {
        let key = try RuntimeEnvironmentName(name).comparisonKey
        return try await write { db in
            guard let environment = try Row.fetchOne(db, sql: "SELECT * FROM runtime_environments WHERE organization_id = ? AND name_key = ?",
                                                     arguments: [organization.description, key]).map(Self.environment) else {
                throw RepositoryError.notFound(kind: "runtime environment", name: name, organization: nil,
                                               among: try Self.environments(db, of: organization).map(\.name.value))
            }
            if environment.kind == .serverless { throw RepositoryError.cannotDeleteServerless }
            let users = try String.fetchAll(db, sql: "SELECT name FROM connections WHERE runtime_environment_id = ? ORDER BY name_key",
                                            arguments: [environment.id.description])
            if !users.isEmpty { throw RepositoryError.runtimeEnvironmentInUse(name: environment.name.value, connections: users) }
            try db.execute(sql: "DELETE FROM runtime_environments WHERE id = ?", arguments: [environment.id.description])
            try self.audit(db, organization: organization, actor: actor, action: "runtime-environment.delete",
                           targetKind: "runtime-environment", targetID: environment.id.description, targetName: environment.name.value)
            return environment
        }
    }

    func insertEnvironment(_ db: Database, _ environment: RuntimeEnvironment) throws {
        try LookalikeNames.refuse(environment.name.value, kind: "runtime environment", among: try String.fetchAll(
            db, sql: "SELECT name FROM runtime_environments WHERE organization_id = ?", arguments: [environment.organizationID.description]))
        do {
            try db.execute(
                sql: "INSERT INTO runtime_environments (id, organization_id, name, name_key, kind, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [environment.id.description, environment.organizationID.description, environment.name.value,
                            environment.name.comparisonKey, environment.kind.rawValue, environment.createdAt.millisecondsSince1970]
            )
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw RepositoryError.duplicateName(kind: "runtime environment", name: environment.name.value)
        }
    }

    static func environments(_ db: Database, of organization: OrganizationID) throws -> [RuntimeEnvironment] {
        try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM runtime_environments WHERE organization_id = ? ORDER BY kind DESC, name_key"),
                         arguments: [organization.description]).map(StoredValues.environment)
    }

    static func environment(_ row: Row) throws -> RuntimeEnvironment { try StoredValues.environment(row) }
}
