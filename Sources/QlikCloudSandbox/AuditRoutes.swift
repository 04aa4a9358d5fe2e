import Foundation
import Hummingbird

/// `/api/v1/audits`: the tenant's audit trail (apps created, copied and deleted, reloads, API keys created and revoked,
/// users and spaces created, ...), for administrators; filters eventType, source, userId, id and an eventTime range
/// (`from/to`, ISO 8601), sort on eventTime (default newest first), eventType or source.
struct AuditRoutes {
    let tenant: Tenant
    let base: BaseURL

    struct AuditView: Encodable, Sendable {
        struct Extensions: Encodable, Sendable {
            struct Actor: Encodable, Sendable { let sub: String; let subType: String }
            let actor: Actor
        }
        struct Links: Encodable, Sendable { let `self`: Link }
        let id: String
        let eventId: String
        let eventType: String
        let eventTypeVersion: String
        let eventTime: Date
        let source: String
        let tenantId: String
        let userId: String
        let contentType: String
        let data: [String: String]
        let extensions: Extensions
        let links: Links

        init(_ event: AuditEvent, tenantID: String, origin: String) {
            id = event.id
            eventId = event.id
            eventType = event.eventType
            eventTypeVersion = "1.0.0"
            eventTime = event.eventTime
            source = event.source
            tenantId = tenantID
            userId = event.userID
            contentType = "application/json"
            data = event.data
            extensions = Extensions(actor: Extensions.Actor(sub: event.userID, subType: "user"))
            links = Links(self: Link(href: "\(origin)/api/v1/audits/\(event.id)"))
        }
    }

    /// `GetObjectsResult`: the event types or sources seen.
    private struct Names: Encodable {
        let data: [String]
        let links: PageLinks
    }

    func register(on group: RouterGroup<SandboxContext>) {
        group.get("audits") { request, context in
            _ = try context.requireAdmin("Reading the audit trail")
            let paging = try Paging(request, defaultLimit: 10)
            let query = request.uri.queryParameters
            var events = await tenant.audits
            if let type = query["eventType"].map(String.init) { events = events.filter { $0.eventType == type } }
            if let source = query["source"].map(String.init) { events = events.filter { $0.source == source } }
            if let user = query["userId"].map(String.init) { events = events.filter { $0.userID == user } }
            if let ids = query["id"].map({ Set($0.split(separator: ",").map(String.init)) }) { events = events.filter { ids.contains($0.id) } }
            if let range = query["eventTime"].map(String.init) {
                let (from, to) = try Self.timeRange(range)
                events = events.filter { event in (from.map { event.eventTime >= $0 } ?? true) && (to.map { event.eventTime <= $0 } ?? true) }
            }
            let sorted = try Self.sorted(events, by: query["sort"].map(String.init) ?? "-eventTime")
            let page = paging.page(Array(sorted.enumerated()), sequence: { $0.offset + 1 })
            let origin = base.origin(of: request)
            return try JSONResponse.make(ListEnvelope(data: page.items.map { AuditView($0.element, tenantID: tenant.tenantID, origin: origin) },
                                                      links: Paging.links(request, base: base, next: page.next, prev: page.prev)))
        }
        group.get("audits/types") { request, context in
            _ = try context.requireAdmin("Reading the audit trail")
            let names = Set(await tenant.audits.map(\.eventType)).sorted()
            return try JSONResponse.make(Names(data: names, links: Paging.links(request, base: base, next: nil, prev: nil)))
        }
        group.get("audits/sources") { request, context in
            _ = try context.requireAdmin("Reading the audit trail")
            let names = Set(await tenant.audits.map(\.source)).sorted()
            return try JSONResponse.make(Names(data: names, links: Paging.links(request, base: base, next: nil, prev: nil)))
        }
        group.get("audits/:id") { request, context in
            _ = try context.requireAdmin("Reading the audit trail")
            let id = try context.parameters.require("id")
            guard let event = await tenant.audits.first(where: { $0.id == id }) else { throw QlikErrorResponse.notFound("No audit event with id \(id).") }
            return try JSONResponse.make(AuditView(event, tenantID: tenant.tenantID, origin: base.origin(of: request)))
        }
    }

    /// `from/to` in ISO 8601; either side may be empty for an open range.
    static func timeRange(_ text: String) throws(QlikErrorResponse) -> (Date?, Date?) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        func date(_ part: String) throws(QlikErrorResponse) -> Date? {
            if part.isEmpty { return nil }
            let formats: [Date.ISO8601FormatStyle] = [Date.ISO8601FormatStyle(includingFractionalSeconds: true), Date.ISO8601FormatStyle()]
            // Each format is tried in turn; a text that fits none is refused below.
            for format in formats { if let parsed = try? format.parse(part) { return parsed } }
            throw .badRequest("eventTime must be an ISO 8601 range such as 2024-07-14T18:00:00Z/2024-07-14T19:00:00Z; '\(part)' is no such time.")
        }
        guard parts.count == 2 else { throw .badRequest("eventTime must be a range from/to in ISO 8601 (either side may be empty); got '\(text)'.") }
        return (try date(parts[0]), try date(parts[1]))
    }

    private static func sorted(_ events: [AuditEvent], by sort: String) throws(QlikErrorResponse) -> [AuditEvent] {
        guard let sign = sort.first, sign == "+" || sign == "-" else {
            throw .badRequest("sort must be eventTime, eventType or source prefixed by + or -; got '\(sort)'.")
        }
        let descending = sign == "-"
        let key: (AuditEvent) -> String
        switch sort.dropFirst() {
        case "eventTime": key = { JSONResponse.timestamp($0.eventTime) + String(format: "%012d", $0.sequence) }
        case "eventType": key = \.eventType
        case "source": key = \.source
        default: throw .badRequest("sort must be eventTime, eventType or source prefixed by + or -; got '\(sort)'.")
        }
        return events.enumerated().sorted { left, right in
            let (a, b) = (key(left.element), key(right.element))
            return a == b ? left.offset < right.offset : (a < b) != descending
        }.map(\.element)
    }
}
