/// Misbehaviour on purpose, for the connector's reliability tests. All off
/// by default; draws are deterministic from `seed`, so a failing test reproduces.
public struct SandboxFaults: Sendable {
    /// Added to every HTTP answer.
    public var latency: Duration
    /// Added to every engine message the sandbox sends, as a network's one-way delay: answers keep their order and
    /// requests in flight together are delayed together, so a client that pipelines pays it once per step, not per call.
    public var engineMessageLatency: Duration = .zero
    /// Share (0...1) of requests answered 502 or 503 instead.
    public var serverErrorShare: Double
    /// Share (0...1) of requests answered 429 (a storm when near 1), with this Retry-After.
    public var rateLimitShare: Double
    public var rateLimitRetryAfterSeconds: Int
    /// Closes each engine WebSocket after sending this many messages; 0 closes it at the upgrade, before `OnConnected`.
    public var dropWebSocketAfterMessages: Int?
    /// Tokens stop working after this long, whatever `expires_in` promised.
    public var tokenValidity: Duration?
    public var seed: UInt64

    public init(
        latency: Duration = .zero, serverErrorShare: Double = 0, rateLimitShare: Double = 0, rateLimitRetryAfterSeconds: Int = 1,
        dropWebSocketAfterMessages: Int? = nil, tokenValidity: Duration? = nil, seed: UInt64 = 42
    ) {
        self.latency = latency
        self.serverErrorShare = serverErrorShare
        self.rateLimitShare = rateLimitShare
        self.rateLimitRetryAfterSeconds = rateLimitRetryAfterSeconds
        self.dropWebSocketAfterMessages = dropWebSocketAfterMessages
        self.tokenValidity = tokenValidity
        self.seed = seed
    }

    public static let none = SandboxFaults()
}

/// A small deterministic generator for fault draws.
struct FaultDice: Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    /// A number in 0..<1.
    mutating func roll() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
}
