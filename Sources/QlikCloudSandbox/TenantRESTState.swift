import Foundation

/// What the REST resources keep beside the tenant's content, saved with it: the audit trail,
/// who is assigned to which space, and the tenant's API-key settings.
struct TenantRESTState: Codable, Sendable {
    var audits: [AuditEvent] = []
    var assignments: [SpaceAssignment] = []
    var apiKeyConfig = APIKeyConfig()
    /// The tenant's name once an administrator renames it (the configured name until then) and its switches (`PATCH /tenants/{id}`).
    var tenantName: String?
    var tenantSettings: [String: Bool] = [:]
    /// Orders audit events and assignments; the tenant's own sequence is private to it.
    var sequence = 0

    mutating func next() -> Int {
        sequence += 1
        return sequence
    }
}

/// One event of the tenant's audit trail (`/api/v1/audits`).
struct AuditEvent: Codable, Sendable {
    let sequence: Int
    let id: String
    /// Qlik's event type, e.g. `com.qlik.v1.app.created`.
    let eventType: String
    let eventTime: Date
    /// The service that recorded it, e.g. `com.qlik/engine`.
    let source: String
    let userID: String
    /// What the event is about: the resource's id and name, never a secret.
    let data: [String: String]
}

/// A user's roles in a space (`/api/v1/spaces/{id}/assignments`).
struct SpaceAssignment: Codable, Sendable {
    let sequence: Int
    let id: String
    let spaceID: String
    let assigneeID: String
    /// `user` or `group`.
    let type: String
    var roles: [String]
    let createdAt: Date
    let createdBy: String
    var updatedAt: Date
    var updatedBy: String
}

/// `/api/v1/api-keys/configs/{tenantId}`: how long keys may live and how many a user may hold.
struct APIKeyConfig: Codable, Sendable {
    /// ISO 8601 durations, as Qlik writes them.
    var maxAPIKeyExpiry = "P365D"
    var maxKeysPerUser = 5
    var scimExternalClientExpiry = "P365D"
}

/// An ISO 8601 duration (`P7D`, `PT12H`, `P1Y2M3DT4H5M6S`, `P2W`) in seconds; months count 30 days and years 365.
/// At least one component is needed, and a `T` must be followed by one ("P" and "PT" say no length of time).
enum ISODuration {
    /// Why a text is no ISO 8601 duration.
    struct Invalid: Error, CustomStringConvertible {
        let text: String
        let reason: String

        var description: String {
            "'\(text)' is no ISO 8601 duration: \(reason); expected P, then number-unit pairs (Y, M, W, D; after T: H, M, S), at least one, such as P7D, PT12H or P1DT6H."
        }
    }

    static func seconds(_ text: String) throws(Invalid) -> TimeInterval {
        var rest = Substring(text.uppercased())
        guard rest.hasPrefix("P") else { throw Invalid(text: text, reason: "it does not start with P") }
        rest = rest.dropFirst()
        var total: TimeInterval = 0
        var inTime = false
        var components = 0, timeComponents = 0
        var number = ""
        for character in rest {
            if character == "T" {
                guard number.isEmpty, !inTime else { throw Invalid(text: text, reason: "T appears twice or after a number without its unit") }
                inTime = true
                continue
            }
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            guard let value = Double(number) else { throw Invalid(text: text, reason: "'\(character)' follows no number") }
            number = ""
            switch (character, inTime) {
            case ("Y", false): total += value * 365 * 86_400
            case ("M", false): total += value * 30 * 86_400
            case ("W", false): total += value * 7 * 86_400
            case ("D", false): total += value * 86_400
            case ("H", true): total += value * 3_600
            case ("M", true): total += value * 60
            case ("S", true): total += value
            default: throw Invalid(text: text, reason: "'\(character)' is no unit \(inTime ? "after T (H, M or S)" : "before T (Y, M, W or D)")")
            }
            components += 1
            if inTime { timeComponents += 1 }
        }
        guard number.isEmpty else { throw Invalid(text: text, reason: "the number \(number) at the end has no unit") }
        guard components > 0 else { throw Invalid(text: text, reason: "it has no component") }
        guard !inTime || timeComponents > 0 else { throw Invalid(text: text, reason: "its T is followed by no hours, minutes or seconds") }
        return total
    }
}
