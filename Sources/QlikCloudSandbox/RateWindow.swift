import Foundation

/// One caller's requests of one tier, as Qlik Cloud meters them: the limit is per minute but evaluated over a
/// rolling five-minute window, so a burst may spend five minutes' budget at once (qlik.dev/apis/rest/rate-limiting).
struct RateWindow: Sendable {
    static let seconds = 300

    /// Requests counted per whole second, oldest first; a second leaves the window 300 s after it began.
    private var counts: [(second: Int64, count: Int)] = []
    private var total = 0

    /// Counts a request made at `now` when fewer than `budget` were made in the window; otherwise nothing is counted and
    /// the answer is the whole seconds until enough of the oldest requests have left the window for one more.
    mutating func admit(at now: Date, budget: Int) -> Int? {
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        while let oldest = counts.first, oldest.second + Int64(Self.seconds) <= second {
            total -= oldest.count
            counts.removeFirst()
        }
        guard total >= budget else {
            if let last = counts.last, last.second == second { counts[counts.count - 1].count += 1 } else { counts.append((second, 1)) }
            total += 1
            return nil
        }
        var leaving = 0
        for entry in counts {
            leaving += entry.count
            if total - leaving < budget { return max(1, Int(entry.second + Int64(Self.seconds) - second)) }
        }
        // A budget of nothing: no wait makes room.
        return Self.seconds
    }
}
