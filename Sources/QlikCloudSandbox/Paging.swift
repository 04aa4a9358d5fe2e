import Foundation
import Hummingbird

/// Qlik's cursor paging: `limit` (1 to 100), `next`/`prev` cursors that name
/// the item a page starts after (or ends before), so pages stay consistent
/// while items come and go; `links.self/next/prev` as absolute URLs.
struct Paging {
    let limit: Int
    let after: Int?
    let before: Int?

    static let maximumLimit = 100

    init(_ request: Request, defaultLimit: Int, cursorName: String = "next") throws(QlikErrorResponse) {
        let query = request.uri.queryParameters
        if let raw = query["limit"] {
            guard let value = Int(String(raw)), (1...Self.maximumLimit).contains(value) else {
                throw .badRequest("limit must be a whole number from 1 to \(Self.maximumLimit); got '\(raw)'.")
            }
            limit = value
        } else {
            limit = defaultLimit
        }
        after = try query[Substring(cursorName)].map { raw throws(QlikErrorResponse) in try Self.decode(String(raw), kind: "n") }
        before = try query["prev"].map { raw throws(QlikErrorResponse) in try Self.decode(String(raw), kind: "p") }
    }

    static func encode(_ sequence: Int, kind: String) -> String {
        Data("\(kind):\(sequence)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String, kind: String) throws(QlikErrorResponse) -> Int {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
              text.hasPrefix(kind + ":"), let sequence = Int(text.dropFirst(2)) else {
            throw .badRequest("The paging cursor '\(cursor)' is not one this tenant issued.")
        }
        return sequence
    }

    /// One page of `items` (ordered by `sequence`), with its cursors.
    func page<Item>(_ items: [Item], sequence: (Item) -> Int) -> (items: [Item], next: String?, prev: String?) {
        let window: ArraySlice<Item>
        if let before {
            let earlier = items.filter { sequence($0) < before }
            window = earlier.suffix(limit)
        } else {
            let later = after.map { after in items.filter { sequence($0) > after } } ?? items
            window = later.prefix(limit)
        }
        guard let first = window.first, let last = window.last else { return ([], nil, nil) }
        let hasNext = items.contains { sequence($0) > sequence(last) }
        let hasPrev = items.contains { sequence($0) < sequence(first) }
        return (Array(window), hasNext ? Self.encode(sequence(last), kind: "n") : nil, hasPrev ? Self.encode(sequence(first), kind: "p") : nil)
    }

    /// `links` with the request's own URL for `self`, and the same query with another cursor for next/prev.
    static func links(_ request: Request, base: BaseURL, next: String?, prev: String?, cursorName: String = "next") -> PageLinks {
        let origin = base.origin(of: request)
        let path = request.uri.path
        let kept = request.uri.queryParameters.filter { $0.key != Substring(cursorName) && $0.key != "prev" }
            .map { "\($0.key)=\(Query.escape(String($0.value)))" }
        func url(_ extra: [String]) -> String {
            let query = (kept + extra).joined(separator: "&")
            return origin + path + (query.isEmpty ? "" : "?" + query)
        }
        let selfQuery = request.uri.query.map { "?" + $0 } ?? ""
        return PageLinks(self: Link(href: origin + path + selfQuery),
                         next: next.map { Link(href: url(["\(cursorName)=\($0)"])) },
                         prev: prev.map { Link(href: url(["prev=\($0)"])) })
    }
}

struct PageLinks: Encodable, Sendable {
    let `self`: Link
    let next: Link?
    let prev: Link?
}

/// `{"data": [...], "links": {...}}`
struct ListEnvelope<Item: Encodable & Sendable>: Encodable, Sendable {
    let data: [Item]
    let links: PageLinks
    var meta: ListMeta?
}

struct ListMeta: Encodable, Sendable {
    let count: Int
}
