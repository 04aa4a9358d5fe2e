import Foundation

extension Tenant {
    /// Notes a change the tenant served in its audit trail.
    func recordAudit(_ eventType: String, source: String, userID: String, data: [String: String]) {
        let event = AuditEvent(sequence: restState.next(), id: Identifier.objectID(), eventType: eventType, eventTime: clock(), source: source,
                               userID: userID, data: data)
        restState.audits.append(event)
        persist()
    }

    var audits: [AuditEvent] { restState.audits }
}
