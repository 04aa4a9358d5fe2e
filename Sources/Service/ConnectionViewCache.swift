import Foundation
import QlikCloudAPI
import QlikConnections
import Repository
import Synchronization
import ConnectorAPI

/// Connection views already built and encoded, by connection and version: a
/// list page then reads, checks and encodes only connections that changed
/// since they were last shown. A version is the connection's update time,
/// strictly later on every change, so an entry is never stale. Bounded, and
/// emptied when full.
final class ConnectionViewCache: Sendable {
    /// A view and its JSON without the closing brace, so a page can add the current last test.
    struct Entry: Sendable {
        let view: Components.Schemas.Connection
        let openJSON: [UInt8]
    }

    private let entries = Mutex<[ConnectionVersion: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 20_000) { self.capacity = capacity }

    func entry(_ version: ConnectionVersion) -> Entry? { entries.withLock { $0[version] } }

    /// Encodes `view` (without a last test) for keeping.
    static func entry(_ view: Components.Schemas.Connection) throws -> Entry {
        var json = Array(try ServiceJSON.encoder.encode(view))
        if json.last == UInt8(ascii: "}") { json.removeLast() }
        return Entry(view: view, openJSON: json)
    }

    func keep(_ built: [ConnectionVersion: Entry]) {
        guard !built.isEmpty else { return }
        entries.withLock { entries in
            if entries.count + built.count > capacity { entries.removeAll(keepingCapacity: true) }
            entries.merge(built) { $1 }
        }
    }

    /// A page as the API's JSON (`{"items":[...],"nextCursor":...,"total":...}`), items from their kept JSON.
    static func page(_ items: [(Entry, ConnectionTestRecord?)], nextCursor: String?, total: Int) -> [UInt8] {
        var out = Array(#"{"items":["#.utf8)
        out.reserveCapacity(items.reduce(64) { $0 + $1.0.openJSON.count + 120 })
        for (index, (entry, test)) in items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += entry.openJSON
            if let test {
                // Keys of an object are unordered in JSON: the last test is written last.
                out += Array(#","lastTest":{"succeeded":\#(test.succeeded),"summary":\#(JSONString.quote(test.summary)),"testedAt":"\#(ISODate.string(test.testedAt))"}"#.utf8)
            }
            out.append(UInt8(ascii: "}"))
        }
        out += Array("],".utf8)
        if let nextCursor { out += Array(#""nextCursor":\#(JSONString.quote(nextCursor)),"#.utf8) }
        out += Array(#""total":\#(total)}"#.utf8)
        return out
    }
}
