import Foundation
import PostgresNIO
public import QlikConnections

extension PostgresRepository: TenantHostStore {
    public func tenantHostEntries() async throws -> [TenantHostEntry] {
        try await read { session in
            try await session.rows("SELECT pattern FROM tenant_hosts ORDER BY position").map { TenantHostEntry(stored: try $0.text("pattern")) }
        }
    }

    public func allowTenantHost(_ pattern: HostPattern, by actor: AuditActor) async throws -> Bool {
        try await write { session in
            let added = try await session.first("""
                INSERT INTO tenant_hosts (pattern, added_at, added_by) VALUES (\(pattern.description), \(Date().millisecondsSince1970), \(actor.name))
                ON CONFLICT (pattern) DO NOTHING RETURNING pattern
                """) != nil
            guard added else { return false }
            try await self.audit(session, organization: nil, actor: actor, action: "tenant-hosts.allow", targetKind: "tenant-host",
                                 targetID: pattern.description, targetName: pattern.description,
                                 changes: [FieldChange(field: .tenantHosts, old: nil, new: pattern.description)])
            return true
        }
    }

    public func removeTenantHost(entry: String, by actor: AuditActor) async throws -> Bool {
        try await write { session in
            let removed = try await session.first("DELETE FROM tenant_hosts WHERE pattern = \(entry) RETURNING pattern") != nil
            guard removed else { return false }
            try await self.audit(session, organization: nil, actor: actor, action: "tenant-hosts.remove", targetKind: "tenant-host",
                                 targetID: entry, targetName: entry, changes: [FieldChange(field: .tenantHosts, old: entry, new: nil)])
            return true
        }
    }
}
