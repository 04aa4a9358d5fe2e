import Foundation
import GRDB
public import QlikConnections

extension SQLiteRepository: TenantHostStore {
    public func tenantHostEntries() async throws -> [TenantHostEntry] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT pattern FROM tenant_hosts ORDER BY position").map(TenantHostEntry.init(stored:))
        }
    }

    public func allowTenantHost(_ pattern: HostPattern, by actor: AuditActor) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "INSERT INTO tenant_hosts (pattern, added_at, added_by) VALUES (?, ?, ?) ON CONFLICT (pattern) DO NOTHING",
                           arguments: [pattern.description, Date().millisecondsSince1970, actor.name])
            guard db.changesCount > 0 else { return false }
            try self.audit(db, organization: nil, actor: actor, action: "tenant-hosts.allow", targetKind: "tenant-host",
                           targetID: pattern.description, targetName: pattern.description,
                           changes: [FieldChange(field: .tenantHosts, old: nil, new: pattern.description)])
            return true
        }
    }

    public func removeTenantHost(entry: String, by actor: AuditActor) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM tenant_hosts WHERE pattern = ?", arguments: [entry])
            guard db.changesCount > 0 else { return false }
            try self.audit(db, organization: nil, actor: actor, action: "tenant-hosts.remove", targetKind: "tenant-host",
                           targetID: entry, targetName: entry, changes: [FieldChange(field: .tenantHosts, old: entry, new: nil)])
            return true
        }
    }
}
