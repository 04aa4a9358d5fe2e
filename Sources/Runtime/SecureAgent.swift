import AsyncHTTPClient
public import Foundation
public import Logging
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
