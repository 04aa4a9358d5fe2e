import Foundation
import Synchronization

/// Says when a periodic chore is due again.
final class Sweep: Sendable {
    private let interval: TimeInterval
    private let last = Mutex(Date.distantPast)

    init(interval: TimeInterval) { self.interval = interval }

    func due(_ now: Date) -> Bool {
        last.withLock { last in
            guard now.timeIntervalSince(last) >= interval || now < last else { return false }
            last = now
            return true
        }
    }
}
