import Foundation
import GRDB
public import QlikConnections

extension SQLiteRepository: MasterKeyStore {
    public func activeMasterKeyID() async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT key_id FROM master_keys WHERE retired_at IS NULL") }
    }

    public func activeMasterKeyID(registeringIfNone candidate: String) async throws -> String {
        try await write { db in
            if let active = try String.fetchOne(db, sql: "SELECT key_id FROM master_keys WHERE retired_at IS NULL") {
                return active
            }
            try db.execute(sql: "INSERT INTO master_keys (key_id, activated_at) VALUES (?, ?)",
                           arguments: [candidate, Date().millisecondsSince1970])
            return candidate
        }
    }

    public func rotateMasterKey(
        to newKeyID: String, by actor: AuditActor,
        reseal: @escaping @Sendable (SealedSlot, SealedSecret) throws -> SealedSecret
    ) async throws -> Int {
        try await write { db in
            let now = Date().millisecondsSince1970
            let rows = try Row.fetchAll(db, sql: "SELECT connection_id, field, key_id, ciphertext FROM connection_credentials WHERE source = 'sealed'")
            for row in rows {
                let connection = ConnectionID(try .stored(row["connection_id"], column: "connection_credentials.connection_id"))
                guard let field = ConnectionField(rawValue: row["field"]) else {
                    throw RepositoryError.corrupt(reason: "unknown credential field '\(row["field"] as String)'")
                }
                let bytes: Data = row["ciphertext"]
                let resealed = try reseal(.connection(connection, field), SealedSecret(keyID: row["key_id"], combined: Array(bytes)))
                try db.execute(
                    sql: "UPDATE connection_credentials SET key_id = ?, ciphertext = ? WHERE connection_id = ? AND field = ?",
                    arguments: [resealed.keyID, Data(resealed.combined), connection.description, field.rawValue]
                )
            }
            let managerRows = try Row.fetchAll(db, sql: "SELECT organization_id, field, key_id, ciphertext FROM secrets_manager_credentials")
            for row in managerRows {
                let organization = OrganizationID(try .stored(row["organization_id"], column: "secrets_manager_credentials.organization_id"))
                guard let field = SecretsManagerField(rawValue: row["field"]) else {
                    throw RepositoryError.corrupt(reason: "unknown secrets manager credential '\(row["field"] as String)'")
                }
                let bytes: Data = row["ciphertext"]
                let resealed = try reseal(.secretsManager(organization, field), SealedSecret(keyID: row["key_id"], combined: Array(bytes)))
                try db.execute(sql: "UPDATE secrets_manager_credentials SET key_id = ?, ciphertext = ? WHERE organization_id = ? AND field = ?",
                               arguments: [resealed.keyID, Data(resealed.combined), organization.description, field.rawValue])
            }
            try db.execute(sql: "UPDATE master_keys SET retired_at = ? WHERE retired_at IS NULL AND key_id <> ?", arguments: [now, newKeyID])
            try db.execute(
                sql: """
                    INSERT INTO master_keys (key_id, activated_at) VALUES (?, ?)
                    ON CONFLICT (key_id) DO UPDATE SET retired_at = NULL, activated_at = excluded.activated_at
                    """,
                arguments: [newKeyID, now]
            )
            try self.audit(db, organization: nil, actor: actor, action: "master-key.rotate", targetKind: "master-key",
                           targetID: newKeyID, targetName: "master key \(newKeyID) (\(rows.count + managerRows.count) credential(s) re-sealed)")
            return rows.count + managerRows.count
        }
    }
}
