import Foundation
import PostgresNIO
public import QlikConnections

extension PostgresRepository: SecretsManagerCredentialStore {
    public func secretsManagerCredentials(of organization: OrganizationID) async throws -> [SecretsManagerField: SealedSecret] {
        try await read { session in
            var found: [SecretsManagerField: SealedSecret] = [:]
            for row in try await session.rows("""
                SELECT field, key_id, ciphertext FROM secrets_manager_credentials WHERE organization_id = \(organization.description)
                """) {
                guard let field = SecretsManagerField(rawValue: try row.text("field")) else {
                    throw RepositoryError.corrupt(reason: "unknown secrets manager credential '\(try row.text("field"))'")
                }
                found[field] = SealedSecret(keyID: try row.text("key_id"), combined: Array(try row.bytes("ciphertext")))
            }
            return found
        }
    }

    public func setSecretsManagerCredentials(_ credentials: [SecretsManagerField: SealedSecret], of organization: OrganizationID,
                                             by actor: AuditActor) async throws {
        try await write { session in
            guard let row = try await session.first("SELECT name FROM organizations WHERE id = \(organization.description)") else {
                throw RepositoryError.notFound(kind: "organization", name: organization.description, organization: nil)
            }
            let name = try row.text("name")
            try await session.execute("DELETE FROM secrets_manager_credentials WHERE organization_id = \(organization.description)")
            for (field, sealed) in credentials.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                try await session.execute("""
                    INSERT INTO secrets_manager_credentials (organization_id, field, key_id, ciphertext)
                    VALUES (\(organization.description), \(field.rawValue), \(sealed.keyID), \(Data(sealed.combined)))
                    """)
            }
            try await self.audit(session, organization: organization, actor: actor, action: "organization.secrets-manager-credentials.set",
                                 targetKind: "organization", targetID: organization.description,
                                 targetName: "\(name): \(RecordKeeping.managerCredentialSummary(credentials.keys))")
        }
    }
}
