import Foundation
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
}
