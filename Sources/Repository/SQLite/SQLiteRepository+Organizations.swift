import Foundation
import GRDB
public import QlikConnections

extension SQLiteRepository: OrganizationStore {
    public func createOrganization(_ organization: Organization, by actor: AuditActor) async throws {
        let manager = try SecretsManagerColumn.encode(organization.secretsManager)
        let serverless = RuntimeEnvironment.serverless(for: organization.id)
        try await write { db in
            try LookalikeNames.refuse(organization.name.value, kind: "organization", among: try String.fetchAll(db, sql: "SELECT name FROM organizations"))
            do {
                try db.execute(
                    sql: """
                        INSERT INTO organizations (id, name, name_key, credential_storage, secrets_manager, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [organization.id.description, organization.name.value, organization.name.comparisonKey,
                                organization.credentialStorage.rawValue, manager,
                                organization.createdAt.millisecondsSince1970, organization.createdAt.millisecondsSince1970]
                )
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw RepositoryError.duplicateName(kind: "organization", name: organization.name.value)
            }
            try self.insertEnvironment(db, serverless)
            try self.audit(db, organization: organization.id, actor: actor, action: "organization.create",
                           targetKind: "organization", targetID: organization.id.description, targetName: organization.name.value,
                           changes: RecordKeeping.settingsChanges(from: nil, to: organization))
        }
    }

    public func organizations() async throws -> [Organization] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM organizations ORDER BY name_key").map(Self.organization)
        }
    }

    public func organization(named name: String) async throws -> Organization {
        let key = try OrganizationName(name).comparisonKey
        let found = try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM organizations WHERE name_key = ?", arguments: [key]).map(Self.organization)
        }
        guard let found else { throw RepositoryError.notFound(kind: "organization", name: name, organization: nil) }
        return found
    }

    public func organization(_ id: OrganizationID) async throws -> Organization {
        let found = try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM organizations WHERE id = ?", arguments: [id.description]).map(Self.organization)
        }
        guard let found else { throw RepositoryError.notFound(kind: "organization", name: id.description, organization: nil) }
        return found
    }

    public func updateOrganization(_ organization: Organization, managerCredentials: [SecretsManagerField: SealedSecret]?,
                                   by actor: AuditActor) async throws {
        let manager = try SecretsManagerColumn.encode(organization.secretsManager)
        try await write { db in
            guard let previous = try Row.fetchOne(db, sql: "SELECT * FROM organizations WHERE id = ?", arguments: [organization.id.description])
                .map(Self.organization) else {
                throw RepositoryError.notFound(kind: "organization", name: organization.name.value, organization: nil)
            }
            if RecordKeeping.changesManager(from: previous, to: organization) {
                let users = try String.fetchAll(db, sql: "SELECT name FROM connections WHERE organization_id = ? AND use_secret_vault = 1 ORDER BY name_key",
                                                arguments: [organization.id.description])
                if !users.isEmpty { throw RepositoryError.secretsManagerInUse(connections: users) }
            }
            // Only a new name is compared: settings, or letter case (the API's only change, which must not name another
            // organization), change as ever; the look-alike key folds case, so a case change makes no new look-alike.
            if previous.name.comparisonKey != organization.name.comparisonKey {
                try LookalikeNames.refuse(organization.name.value, kind: "organization", among: try String.fetchAll(
                    db, sql: "SELECT name FROM organizations WHERE id <> ?", arguments: [organization.id.description]))
            }
            do {
                try db.execute(
                    sql: """
                        UPDATE organizations SET name = ?, name_key = ?, credential_storage = ?,
                            secrets_manager = ?, updated_at = ? WHERE id = ?
                        """,
                    arguments: [organization.name.value, organization.name.comparisonKey, organization.credentialStorage.rawValue,
                                manager, Date().millisecondsSince1970, organization.id.description]
                )
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw RepositoryError.duplicateName(kind: "organization", name: organization.name.value)
            }
            // Credentials given for a manager that moved are not kept: they would be sent to the new place.
            if managerCredentials != nil || previous.secretsManager?.location != organization.secretsManager?.location {
                let kept = try String.fetchAll(db, sql: "SELECT field FROM secrets_manager_credentials WHERE organization_id = ?",
                                               arguments: [organization.id.description]).compactMap(SecretsManagerField.init(rawValue:))
                try db.execute(sql: "DELETE FROM secrets_manager_credentials WHERE organization_id = ?", arguments: [organization.id.description])
                if let dropped = RecordKeeping.droppedManagerCredentials(kept, from: previous, to: organization, replaced: managerCredentials != nil) {
                    try self.audit(db, organization: organization.id, actor: actor, action: "organization.secrets-manager-credentials.dropped",
                                   targetKind: "organization", targetID: organization.id.description, targetName: dropped)
                }
            }
            if let managerCredentials {
                // A rotation committed since they were sealed would leave them under a retired key: refused, to be sealed again.
                let activeKey = try String.fetchOne(db, sql: "SELECT key_id FROM master_keys WHERE retired_at IS NULL")
                try RecordKeeping.checkSealed(managerCredentials.values, activeKey: activeKey)
                for (field, sealed) in managerCredentials.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    try db.execute(sql: "INSERT INTO secrets_manager_credentials (organization_id, field, key_id, ciphertext) VALUES (?, ?, ?, ?)",
                                   arguments: [organization.id.description, field.rawValue, sealed.keyID, Data(sealed.combined)])
                }
                try self.audit(db, organization: organization.id, actor: actor, action: "organization.secrets-manager-credentials.set",
                               targetKind: "organization", targetID: organization.id.description,
                               targetName: "\(organization.name.value): \(RecordKeeping.managerCredentialSummary(managerCredentials.keys))")
            }
            try self.audit(db, organization: organization.id, actor: actor, action: "organization.update",
                           targetKind: "organization", targetID: organization.id.description, targetName: organization.name.value,
                           changes: RecordKeeping.settingsChanges(from: previous, to: organization))
        }
    }

    static func organization(_ row: Row) throws -> Organization { try StoredValues.organization(row) }
}
