import Foundation
import QlikConnections
import Synchronization

/// Agents recently authenticated, by their token's hash: an agent calls at
/// least twice per task (claim, finish), and its identity does not change,
/// so the lookup is kept for a few seconds instead of a query per call.
/// Unknown tokens are never kept, so a new agent is known at once.
final class AgentTokenCache: Sendable {
    private let entries = Mutex<[Data: (agent: Agent, until: ContinuousClock.Instant)]>([:])
    let lifetime: Duration
    let capacity: Int

    init(lifetime: Duration = .seconds(5), capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The agent holding the token whose hash is `hash`, from memory while fresh, else from `lookup`.
    func agent(for hash: Data, lookup: () async throws -> Agent?) async throws -> Agent? {
        let now = ContinuousClock.now
        if let kept = entries.withLock({ $0[hash] }), kept.until > now { return kept.agent }
        guard let agent = try await lookup() else { return nil }
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = (agent, now + lifetime)
        }
        return agent
    }

    func forgetAll() { entries.withLock { $0.removeAll() } }
}
