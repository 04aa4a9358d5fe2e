import AsyncHTTPClient
public import Foundation
public import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import QlikConnections
public import Secrets

/// A Secure Agent: heartbeats to the service, and a few workers that pull
/// the group's tasks over HTTPS with the agent's token (no inbound port,
/// no database). Credentials the service hands over stay in memory.
public struct SecureAgent: Sendable {
    public struct Configuration: Sendable {
        public let service: URL
        public let token: String
        public let workers: Int
        public let lease: TimeInterval
        public let heartbeat: Duration
        public let idleDelay: Duration
        /// How long a secret read from the secrets manager is kept in memory (a rotation shows after at most this).
        public let secretTimeToLive: TimeInterval
        /// Credentials kept on this agent's machine.
        public let store: AgentCredentialStore

        public init(service: URL, token: String, workers: Int = 2, lease: TimeInterval = 20, heartbeat: Duration = .seconds(10),
                    idleDelay: Duration = .milliseconds(200), secretTimeToLive: TimeInterval = 300, store: AgentCredentialStore) {
            self.secretTimeToLive = secretTimeToLive
            self.store = store
            self.service = service
            self.token = token
            self.workers = max(1, workers)
            self.lease = lease
            self.heartbeat = heartbeat
            self.idleDelay = idleDelay
        }

        /// Seconds each heartbeat vouches for the agent: its task lease, and at least two heartbeat intervals so that one late beat
        /// does not make it look gone.
        public var heartbeatLease: TimeInterval {
            let interval = Double(heartbeat.components.seconds) + Double(heartbeat.components.attoseconds) / 1e18
            return max(lease, 2 * interval)
        }
    }

    let configuration: Configuration
    let executor: TaskExecutor
    let version: String
    let logger: Logger

    public init(configuration: Configuration, executor: TaskExecutor, version: String, logger: Logger) {
        self.configuration = configuration
        self.executor = executor
        self.version = version
        self.logger = logger
    }

    /// Whether `url` may carry an agent's token and tasks' credentials: HTTPS, or plain HTTP to this machine only.
    public static func acceptable(_ url: URL) -> Bool {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return false }
        return scheme == "https" || (scheme == "http" && ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host))
    }

    /// A token that belongs to another group than the one the agent was started for.
    public struct WrongGroup: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs until cancelled. `onStarted` learns the agent's name and group once the first heartbeat was accepted;
    /// `expectedGroup`, when given, must be the group the token belongs to.
    public func run(expectedGroup: String? = nil, onStarted: @escaping @Sendable (_ agent: String, _ group: String) -> Void = { _, _ in }) async throws {
        // Redirects are never followed: neither the service's answers nor a secrets manager's send a request elsewhere.
        let client = SecretReferenceResolver.makeHTTPClient()
        do {
            let source = AgentTaskSource(client: client, configuration: configuration,
                                         resolver: SecretReferenceResolver(client: client, timeToLive: configuration.secretTimeToLive))
            let known = try await source.heartbeat(version: version)
            if let expectedGroup, expectedGroup.lowercased() != known.group.lowercased() {
                throw WrongGroup(description: "This token belongs to agent '\(known.agent)' of runtime environment '\(known.group)', not '\(expectedGroup)'; "
                    + "start the agent with the token its administrator created for that group.")
            }
            onStarted(known.agent, known.group)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await heartbeats(source) }
                for _ in 0..<configuration.workers {
                    group.addTask { await TaskWorker(source: source, executor: executor, idleDelay: configuration.idleDelay, logger: logger).run() }
                }
                await group.waitForAll()
            }
            // Stopped cleanly: sign off, so that no command waits on this agent until its lease runs out.
            do {
                try await source.signOff()
            } catch {
                logger.warning("the service did not take the sign-off; the agent shows as unavailable once its lease runs out", metadata: ["error": "\(error)"])
            }
            try await client.shutdown()
        } catch {
            try await client.shutdown()
            throw error
        }
    }

    private func heartbeats(_ source: AgentTaskSource) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.heartbeat)
            } catch {
                return
            }
            do {
                try await source.heartbeat(version: version)
            } catch {
                logger.warning("the service did not take the heartbeat", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// The service's agent routes as a task source. Log lines wait here and
/// travel with the next renewal or the outcome: a short task costs the
/// service two calls (claim, finish), not one more per line. Each call on a
/// task carries its claim's lease token (header `Lease-Token`), so the service
/// tells this agent's claims of one task apart.
struct AgentTaskSource: TaskSource {
    let client: HTTPClient
    let configuration: SecureAgent.Configuration
    var lease: TimeInterval { configuration.lease }
    let resolver: SecretReferenceResolver
    let pending = PendingLogs()

    /// Kept per claim, not per task: two workers of this agent may hold claims of one task one after the other, and the lines
    /// of the one whose lease ran out must not travel with the other's.
    actor PendingLogs {
        private var lines: [TaskLease: [TaskLogLine]] = [:]

        /// Adds lines; answers them all once enough wait to be worth a call of their own.
        func add(_ more: [TaskLogLine], to lease: TaskLease) -> [TaskLogLine]? {
            lines[lease, default: []] += more
            return (lines[lease]?.count ?? 0) >= 100 ? take(lease) : nil
        }

        func take(_ lease: TaskLease) -> [TaskLogLine] {
            lines.removeValue(forKey: lease) ?? []
        }
    }

    /// The header that names the claim in each call on a task.
    static let leaseHeader = "Lease-Token"

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    /// The agent's name and group as the service knows them.
    @discardableResult
    func heartbeat(version: String) async throws -> (agent: String, group: String) {
        let host = ProcessInfo.processInfo.hostName
        let (_, body) = try await post("heartbeat", json: ["host": host, "version": version, "leaseSeconds": configuration.heartbeatLease], expecting: [200])
        let known = try JSONDecoder().decode([String: String].self, from: body)
        return (known["agent"] ?? "", known["runtimeEnvironment"] ?? "")
    }

    /// Tells the service the agent stops. Sent once the agent is cancelled, so it goes out as an event-loop future,
    /// which the cancellation does not cut short as it would an async request.
    func signOff() async throws {
        var request = try HTTPClient.Request(url: configuration.service.appendingPathComponent("api/v1/agent/stop").absoluteString, method: .POST)
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.token)")
        let response = try await client.execute(request: request, deadline: .now() + .seconds(5)).get()
        guard response.status == .noContent else {
            throw Refused(description: "The service answered \(response.status.code) to stop: \(response.body.map { String(buffer: $0).prefix(500) } ?? "")")
        }
    }

    func claim() async throws -> ClaimedTask? {
        // Says that it sends each claim's lease token back: the service hands no task to an agent that does not.
        let (status, body) = try await post("claim", json: ["leaseSeconds": lease, "sendsLeaseToken": true], expecting: [200, 204])
        guard status == 200 else { return nil }
        return try await JSONDecoder().decode(AgentAssignment.self, from: body).claimed(resolver: resolver, store: configuration.store)
    }

    func renew(_ claim: TaskLease) async throws -> Bool {
        try await send(await pending.take(claim), of: claim)
        let (status, body) = try await post("tasks/\(claim.task)/renew", json: ["leaseSeconds": lease], lease: claim, expecting: [204, 404, 409])
        if status != 204 { throw TaskLeaseLost(Self.refusal(status, body, of: "renewal")) }
        return true
    }

    func finish(_ claim: TaskLease, _ outcome: TaskOutcome) async throws {
        let body = try Self.encoder.encode(AgentTaskOutcome(outcome, logs: await pending.take(claim)))
        let (status, answer) = try await post("tasks/\(claim.task)/finish", body: body, lease: claim, expecting: [204, 404, 409, 422])
        switch status {
        case 204: return
        // The service kept the task as failed, saying why the result was refused: nothing to send again.
        case 422: throw TaskOutcomeRefused(Self.refusal(status, answer, of: "outcome"))
        default: throw TaskLeaseLost(Self.refusal(status, answer, of: "outcome"))
        }
    }

    func log(_ claim: TaskLease, _ lines: [TaskLogLine]) async throws {
        if let due = await pending.add(lines, to: claim) { try await send(due, of: claim) }
    }

    /// Throws ``TaskLeaseLost`` when the service refuses the lines: the task is no longer this claim's.
    private func send(_ lines: [TaskLogLine], of claim: TaskLease) async throws {
        guard !lines.isEmpty else { return }
        let (status, body) = try await post("tasks/\(claim.task)/logs", body: try Self.encoder.encode(lines), lease: claim, expecting: [204, 404, 409])
        if status != 204 { throw TaskLeaseLost(Self.refusal(status, body, of: "\(lines.count) log line(s)")) }
    }

    /// The service's refusal in words: its status and its error's message (never the token).
    static func refusal(_ status: Int, _ body: Data, of what: String) -> String {
        struct Answer: Decodable { struct Detail: Decodable { let code: String; let message: String }; let error: Detail }
        let said = (try? JSONDecoder().decode(Answer.self, from: body)).map { "\($0.error.code): \($0.error.message)" }
            ?? String(decoding: body.prefix(500), as: UTF8.self)
        return "The service refused the task's \(what) (\(status) \(said))"
    }

    private func post(_ path: String, json: [String: any Sendable], lease: TaskLease? = nil, expecting: Set<Int>) async throws -> (status: Int, body: Data) {
        try await post(path, body: try JSONSerialization.data(withJSONObject: json), lease: lease, expecting: expecting)
    }

    private func post(_ path: String, body: Data, lease: TaskLease? = nil, expecting: Set<Int>) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: configuration.service.appendingPathComponent("api/v1/agent/" + path).absoluteString)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        if let lease { request.headers.add(name: Self.leaseHeader, value: lease.token) }
        request.body = .bytes(ByteBuffer(data: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        let data = Data(buffer: try await response.body.collect(upTo: 16 << 20))
        let status = Int(response.status.code)
        guard expecting.contains(status) else {
            // The service's JSON error, never the token.
            throw Refused(description: "The service answered \(status) to \(path): \(String(decoding: data.prefix(500), as: UTF8.self))")
        }
        return (status, data)
    }
}
