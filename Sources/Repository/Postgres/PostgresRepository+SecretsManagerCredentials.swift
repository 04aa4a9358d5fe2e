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
}
