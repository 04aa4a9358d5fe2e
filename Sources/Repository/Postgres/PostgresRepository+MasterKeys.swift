import Foundation
import PostgresNIO
public import QlikConnections

extension PostgresRepository: MasterKeyStore {
    public func activeMasterKeyID() async throws -> String? {
        try await read { session in try await session.value(String.self, "SELECT key_id FROM master_keys WHERE retired_at IS NULL") }
    }

    public func activeMasterKeyID(registeringIfNone candidate: String) async throws -> String {
        // Exclusive: two replicas starting at once must agree on one key.
        try await write(.exclusive) { session in
            if let active = try await session.value(String.self, "SELECT key_id FROM master_keys WHERE retired_at IS NULL") {
                return active
            }
            try await session.execute("INSERT INTO master_keys (key_id, activated_at) VALUES (\(candidate), \(Date().millisecondsSince1970))")
            return candidate
        }
    }

    public func rotateMasterKey(
        to newKeyID: String, by actor: AuditActor,
        reseal: @escaping @Sendable (SealedSlot, SealedSecret) throws -> SealedSecret
    ) async throws -> Int {
        // Exclusive: no connection is written under the old key while its credentials are re-sealed.
        try await write(.exclusive) { session in
            let now = Date().millisecondsSince1970
            let rows = try await session.rows("SELECT connection_id, field, key_id, ciphertext FROM connection_credentials WHERE source = 'sealed'")
            for row in rows {
                let connection = ConnectionID(try row.id("connection_id", of: "connection_credentials"))
                guard let field = ConnectionField(rawValue: try row.text("field")) else {
                    throw RepositoryError.corrupt(reason: "unknown credential field '\(try row.text("field"))'")
                }
                let resealed = try reseal(.connection(connection, field), SealedSecret(keyID: try row.text("key_id"), combined: Array(try row.bytes("ciphertext"))))
                try await session.execute("""
                    UPDATE connection_credentials SET key_id = \(resealed.keyID), ciphertext = \(Data(resealed.combined))
                    WHERE connection_id = \(connection.description) AND field = \(field.rawValue)
                    """)
            }
            let managerRows = try await session.rows("SELECT organization_id, field, key_id, ciphertext FROM secrets_manager_credentials")
            for row in managerRows {
                let organization = OrganizationID(try row.id("organization_id", of: "secrets_manager_credentials"))
                guard let field = SecretsManagerField(rawValue: try row.text("field")) else {
                    throw RepositoryError.corrupt(reason: "unknown secrets manager credential '\(try row.text("field"))'")
                }
                let resealed = try reseal(.secretsManager(organization, field),
                                          SealedSecret(keyID: try row.text("key_id"), combined: Array(try row.bytes("ciphertext"))))
                try await session.execute("""
                    UPDATE secrets_manager_credentials SET key_id = \(resealed.keyID), ciphertext = \(Data(resealed.combined))
                    WHERE organization_id = \(organization.description) AND field = \(field.rawValue)
                    """)
            }
            try await session.execute("UPDATE master_keys SET retired_at = \(now) WHERE retired_at IS NULL AND key_id <> \(newKeyID)")
            try await session.execute("""
                INSERT INTO master_keys (key_id, activated_at) VALUES (\(newKeyID), \(now))
                ON CONFLICT (key_id) DO UPDATE SET retired_at = NULL, activated_at = excluded.activated_at
                """)
            try await self.audit(session, organization: nil, actor: actor, action: "master-key.rotate", targetKind: "master-key",
                                 targetID: newKeyID, targetName: "master key \(newKeyID) (\(rows.count + managerRows.count) credential(s) re-sealed)")
            return rows.count + managerRows.count
        }
    }
}
