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
            return try rows.map(StoredValues.auditEvent)
        }
    }
}
