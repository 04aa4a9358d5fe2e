public import Foundation
import GRDB
public import QlikConnections

extension SQLiteRepository: SecretsManagerCredentialStore {
    public func secretsManagerCredentials(of organization: OrganizationID) async throws -> [SecretsManagerField: SealedSecret] {
        try await read { db in
            var found: [SecretsManagerField: SealedSecret] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT field, key_id, ciphertext FROM secrets_manager_credentials WHERE organization_id = ?",
                                        arguments: [organization.description]) {
                guard let field = SecretsManagerField(rawValue: row["field"]) else {
                    throw RepositoryError.corrupt(reason: "unknown secrets manager credential '\(row["field"] as String)'")
                }
                let bytes: Data = row["ciphertext"]
                found[field] = SealedSecret(keyID: row["key_id"], combined: Array(bytes))
            }
            return found
        }
    }

    public func setSecretsManagerCredentials(_ credentials: [SecretsManagerField: SealedSecret], of organization: OrganizationID,
                                             by actor: AuditActor) async throws {
        try await write { db in
            guard let name = try String.fetchOne(db, sql: "SELECT name FROM organizations WHERE id = ?", arguments: [organization.description]) else {
                throw RepositoryError.notFound(kind: "organization", name: organization.description, organization: nil)
            }
            try db.execute(sql: "DELETE FROM secrets_manager_credentials WHERE organization_id = ?", arguments: [organization.description])
            for (field, sealed) in credentials.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                try db.execute(sql: "INSERT INTO secrets_manager_credentials (organization_id, field, key_id, ciphertext) VALUES (?, ?, ?, ?)",
                               arguments: [organization.description, field.rawValue, sealed.keyID, Data(sealed.combined)])
            }
            try self.audit(db, organization: organization, actor: actor, action: "organization.secrets-manager-credentials.set",
                           targetKind: "organization", targetID: organization.description,
                           targetName: "\(name): \(RecordKeeping.managerCredentialSummary(credentials.keys))")
        }
    }
}
