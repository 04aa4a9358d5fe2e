public import QlikConnections
public import Repository

/// Whether a request waiting for a task on a Secure Agent group should go on
/// waiting: the one decision the command line and the API share. It waits
/// while an agent of the group is available, or regardless when the caller
/// asked to wait; the group's agents are looked up again at most once per
/// `interval`, so a wait polled every few milliseconds costs one query a second.
public struct AgentWatch: Sendable {
    public let group: RuntimeEnvironment
    let repository: any AgentStore
    /// The caller asked to wait whatever the agents do (`--agent-wait` given).
    public let regardless: Bool
    let interval: Duration
    private var nextCheck: ContinuousClock.Instant

    /// Nil for the serverless environment, whose workers are the service's own and always there.
    public init?(_ group: RuntimeEnvironment, in repository: any AgentStore, regardless: Bool = false, interval: Duration = .seconds(1)) {
        guard group.kind == .secureAgentGroup else { return nil }
        self.group = group
        self.repository = repository
        self.regardless = regardless
        self.interval = interval
        nextCheck = .now
    }

    /// Nil while waiting is worth it; once no agent of the group is left (and waiting was not asked for regardless),
    /// the group's agents as they stand, to say why the wait stopped.
    public mutating func noAgentLeft() async throws -> AgentAvailability? {
        guard !regardless, ContinuousClock.now >= nextCheck else { return nil }
        nextCheck = .now + interval
        guard let availability = try await AgentAvailability.of(group, in: repository), !availability.hasAvailableAgent else { return nil }
        return availability
    }
}
