import Foundation
import QlikConnections
import Repository
import Synchronization

/// Connection views already built, by connection and version: a list page
/// then reads and checks only connections that changed since it was last
/// shown. A version is the connection's update time, strictly later on
/// every change, so an entry is never stale; bounded, and emptied when full.
final class ConnectionViewCache: Sendable {
    private let entries = Mutex<[ConnectionVersion: ConnectionView]>([:])
    private let capacity: Int

    init(capacity: Int = 20_000) { self.capacity = capacity }

    func view(_ version: ConnectionVersion) -> ConnectionView? { entries.withLock { $0[version] } }

    func keep(_ views: [ConnectionVersion: ConnectionView]) {
        guard !views.isEmpty else { return }
        entries.withLock { entries in
            if entries.count + views.count > capacity { entries.removeAll(keepingCapacity: true) }
            entries.merge(views) { $1 }
        }
    }
}
