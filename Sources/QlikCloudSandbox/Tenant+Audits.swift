import Foundation

extension Tenant {
    /// Notes a change the tenant served in its audit trail.
    func recordAudit(_ eventType: String, source: String, userID: String, data: [String: String]) {
        let event = AuditEvent(sequence: restState.next(), id: Identifier.objectID(), eventType: eventType, eventTime: clock(), source: source,
                               userID: userID, data: data)
        restState.audits.append(event)
        // Qlik keeps audit events for a limited time; the sandbox keeps the newest ones, so a long-lived tenant's state stays small.
        if restState.audits.count > Self.auditsKept { restState.audits.removeFirst(restState.audits.count - Self.auditsKept) }
        persist()
    }

    nonisolated static let auditsKept = 10_000

    var audits: [AuditEvent] { restState.audits }
}
