import Foundation
import PostgresNIO
public import QlikConnections

extension PostgresRepository: OrganizationStore {
    public func createOrganization(_ organization: Organization, by actor: AuditActor) async throws {
        let manager = try SecretsManagerColumn.encode(organization.secretsManager)
        let serverless = RuntimeEnvironment.serverless(for: organization.id)
        // Exclusive: the look-alike comparison reads every name, which no stored key guards; two creates must not pass it together.
        try await write(.exclusive) { session in
            if try await session.first("SELECT 1 FROM organizations WHERE name_key = \(organization.name.comparisonKey)") != nil {
                throw RepositoryError.duplicateName(kind: "organization", name: organization.name.value)
            }
            try LookalikeNames.refuse(organization.name.value, kind: "organization",
                                      among: try await session.rows("SELECT name FROM organizations").map { try $0.text("name") })
            do {
                try await session.execute("""
                    INSERT INTO organizations (id, name, name_key, credential_storage, secrets_manager, created_at, updated_at)
                    VALUES (\(organization.id.description), \(organization.name.value), \(organization.name.comparisonKey),
                            \(organization.credentialStorage.rawValue), \(manager),
                            \(organization.createdAt.millisecondsSince1970), \(organization.createdAt.millisecondsSince1970))
                    """)
            } catch where PostgresFailure.isUniqueViolation(error) {
                throw RepositoryError.duplicateName(kind: "organization", name: organization.name.value)
            }
            try await self.insertEnvironment(session, serverless)
            try await self.audit(session, organization: organization.id, actor: actor, action: "organization.create",
                                 targetKind: "organization", targetID: organization.id.description, targetName: organization.name.value,
                                 changes: RecordKeeping.settingsChanges(from: nil, to: organization))
        }
    }

    public func organizations() async throws -> [Organization] {
        try await read { session in
            try await session.rows("SELECT * FROM organizations ORDER BY name_key").map(StoredValues.organization)
        }
    }

    public func organization(named name: String) async throws -> Organization {
        let key = try OrganizationName(name).comparisonKey
        let found = try await read { session in
            try await session.first("SELECT * FROM organizations WHERE name_key = \(key)").map(StoredValues.organization)
        }
        guard let found else { throw RepositoryError.notFound(kind: "organization", name: name, organization: nil) }
        return found
    }

    public func organization(_ id: OrganizationID) async throws -> Organization {
        let found = try await read { session in
            try await session.first("SELECT * FROM organizations WHERE id = \(id.description)").map(StoredValues.organization)
        }
        guard let found else { throw RepositoryError.notFound(kind: "organization", name: id.description, organization: nil) }
        return found
    }

    public func updateOrganization(_ organization: Organization, managerCredentials: [SecretsManagerField: SealedSecret]?,
                                   by actor: AuditActor) async throws {
        let manager = try SecretsManagerColumn.encode(organization.secretsManager)
        // Exclusive: a connection written meanwhile must see either the old manager or the new one, never a mix.
        try await write(.exclusive) { session in
            guard let previous = try await session.first("SELECT * FROM organizations WHERE id = \(organization.id.description)")
                .map(StoredValues.organization) else {
                throw RepositoryError.notFound(kind: "organization", name: organization.name.value, organization: nil)
            }
            if RecordKeeping.changesManager(from: previous, to: organization) {
                let users = try await session.rows("""
                    SELECT name FROM connections WHERE organization_id = \(organization.id.description) AND use_secret_vault
                    ORDER BY name_key
                    """).map { try $0.text("name") }
                if !users.isEmpty { throw RepositoryError.secretsManagerInUse(connections: users) }
            }
            if try await session.first("""
                SELECT 1 FROM organizations WHERE name_key = \(organization.name.comparisonKey) AND id <> \(organization.id.description)
                """) != nil {
                throw RepositoryError.duplicateName(kind: "organization", name: organization.name.value)
            }
            // Only a new name is compared: settings, or letter case (the API's only change, which must not name another
            // organization), change as ever; the look-alike key folds case, so a case change makes no new look-alike.
            if previous.name.comparisonKey != organization.name.comparisonKey {
                try LookalikeNames.refuse(organization.name.value, kind: "organization", among: try await session.rows(
                    "SELECT name FROM organizations WHERE id <> \(organization.id.description)").map { try $0.text("name") })
            }
            try await session.execute("""
                UPDATE organizations SET name = \(organization.name.value), name_key = \(organization.name.comparisonKey),
                    credential_storage = \(organization.credentialStorage.rawValue),
                    secrets_manager = \(manager), updated_at = \(Date().millisecondsSince1970) WHERE id = \(organization.id.description)
                """)
            // Credentials given for a manager that moved are not kept: they would be sent to the new place.
            if managerCredentials != nil || previous.secretsManager?.location != organization.secretsManager?.location {
                let kept = try await session.rows("SELECT field FROM secrets_manager_credentials WHERE organization_id = \(organization.id.description)")
                    .compactMap { SecretsManagerField(rawValue: try $0.text("field")) }
                try await session.execute("DELETE FROM secrets_manager_credentials WHERE organization_id = \(organization.id.description)")
                if let dropped = RecordKeeping.droppedManagerCredentials(kept, from: previous, to: organization, replaced: managerCredentials != nil) {
                    try await self.audit(session, organization: organization.id, actor: actor, action: "organization.secrets-manager-credentials.dropped",
                                         targetKind: "organization", targetID: organization.id.description, targetName: dropped)
                }
            }
            if let managerCredentials {
                // A rotation committed since they were sealed would leave them under a retired key: refused, to be sealed again.
                let activeKey = try await session.value(String.self, "SELECT key_id FROM master_keys WHERE retired_at IS NULL")
                try RecordKeeping.checkSealed(managerCredentials.values, activeKey: activeKey)
                for (field, sealed) in managerCredentials.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    try await session.execute("""
                        INSERT INTO secrets_manager_credentials (organization_id, field, key_id, ciphertext)
                        VALUES (\(organization.id.description), \(field.rawValue), \(sealed.keyID), \(Data(sealed.combined)))
                        """)
                }
                try await self.audit(session, organization: organization.id, actor: actor, action: "organization.secrets-manager-credentials.set",
                                     targetKind: "organization", targetID: organization.id.description,
                                     targetName: "\(organization.name.value): \(RecordKeeping.managerCredentialSummary(managerCredentials.keys))")
            }
            try await self.audit(session, organization: organization.id, actor: actor, action: "organization.update",
                                 targetKind: "organization", targetID: organization.id.description, targetName: organization.name.value,
                                 changes: RecordKeeping.settingsChanges(from: previous, to: organization))
        }
    }
}
