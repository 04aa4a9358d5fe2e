import Foundation
import GRDB
public import QlikConnections

extension SQLiteRepository: AuditTrail {
    public func auditEvents(of organization: OrganizationID?, limit: Int) async throws -> [AuditEvent] {
        try await read { db in
            let rows: [Row]
            if let organization {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM audit_events WHERE organization_id = ? OR organization_id IS NULL ORDER BY sequence DESC LIMIT ?",
                                        arguments: [organization.description, limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM audit_events ORDER BY sequence DESC LIMIT ?", arguments: [limit])
            }
            return try rows.map { row in
                let organizationText: String? = row["organization_id"]
                return AuditEvent(
                    sequence: row["sequence"],
                    organizationID: try organizationText.map { OrganizationID(try .stored($0, column: "audit_events.organization_id")) },
                    at: Date(millisecondsSince1970: row["at"]),
                    actor: row["actor"],
                    action: row["action"],
                    targetKind: row["target_kind"],
                    targetID: row["target_id"],
                    targetName: row["target_name"],
                    changes: try JSONDecoder().decode([AuditChange].self, from: Data((row["changes"] as String).utf8))
                )
            }
        }
    }
}
