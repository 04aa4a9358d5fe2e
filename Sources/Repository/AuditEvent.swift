public import Foundation
public import QlikConnections

/// One change, as the audit trail keeps it: who, when, what, and the
/// non-secret details. Credential values never reach it, not even sealed.
public struct AuditEvent: Hashable, Sendable, Codable {
    public let sequence: Int64
    public let organizationID: OrganizationID?
    public let at: Date
    public let actor: String
    public let action: String
    public let targetKind: String
    public let targetID: String
    public let targetName: String
    public let changes: [AuditChange]

    public init(
        sequence: Int64, organizationID: OrganizationID?, at: Date, actor: String, action: String,
        targetKind: String, targetID: String, targetName: String, changes: [AuditChange]
    ) {
        self.sequence = sequence
        self.organizationID = organizationID
        self.at = at
        self.actor = actor
        self.action = action
        self.targetKind = targetKind
        self.targetID = targetID
        self.targetName = targetName
        self.changes = changes
    }
}

/// One field's change as the audit trail keeps it: connection and
/// organization fields, and user fields (a password only as "changed").
public struct AuditChange: Hashable, Sendable, Codable {
    public let field: String
    public let old: String?
    public let new: String?

    public init(field: String, from old: String?, to new: String?) {
        self.field = field
        self.old = old
        self.new = new
    }
}
