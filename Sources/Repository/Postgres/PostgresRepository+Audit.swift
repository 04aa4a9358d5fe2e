import Foundation
import PostgresNIO
public import QlikConnections

extension PostgresRepository: AuditTrail {
    public func auditEvents(of organization: OrganizationID?, limit: Int) async throws -> [AuditEvent] {
        try await read { session in
            let rows = if let organization {
                try await session.rows("""
                    SELECT * FROM audit_events WHERE organization_id = \(organization.description) OR organization_id IS NULL
                    ORDER BY sequence DESC LIMIT \(Int64(limit))
                    """)
            } else {
                try await session.rows("SELECT * FROM audit_events ORDER BY sequence DESC LIMIT \(Int64(limit))")
            }
            return try rows.map(StoredValues.auditEvent)
        }
    }
}
