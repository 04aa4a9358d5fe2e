public import Foundation
public import Logging
import QlikConnections
public import Repository
public import Secrets
public import ServiceLifecycle

/// The organizations' serverless runtime environments, run inside the
/// service: a few workers that take serverless tasks from the queue. Every
/// replica runs one; the queue's leases keep each task to one of them.
public struct ServerlessPool: Service {
    let repository: any ConnectorRepository
    /// Read again when another process rotated the master key, so workers keep opening credentials without a restart.
    let keyring: LiveKeyring?
    let executor: TaskExecutor
    let workers: Int
    let lease: TimeInterval
    let idleDelay: Duration
    /// Seconds a secret read from the secrets manager stays in memory.
    let secretTimeToLive: TimeInterval
    /// The secrets manager's credentials when an organization keeps none: by default none at all.
    let managerCredentials: ManagerCredentialSource
    let logger: Logger
    /// Told of each task a worker finishes, for the requests of this process waiting for one.
    let finishes: TaskFinishSignal?
    /// Tells this replica's workers apart in the queue's lease owners.
    public let instance = UUID().uuidString.lowercased().prefix(8)

    public init(repository: any ConnectorRepository, keyring: LiveKeyring?, executor: TaskExecutor, workers: Int = 2, lease: TimeInterval = 20,
                idleDelay: Duration = .milliseconds(50), secretTimeToLive: TimeInterval = 300,
                managerCredentials: ManagerCredentialSource = .organizationsOnly, finishes: TaskFinishSignal? = nil, logger: Logger) {
        self.finishes = finishes
        self.secretTimeToLive = secretTimeToLive
        self.managerCredentials = managerCredentials
        self.repository = repository
        self.keyring = keyring
        self.executor = executor
        self.workers = max(1, workers)
        self.lease = lease
        self.idleDelay = idleDelay
        self.logger = logger
    }

    public func run() async throws {
        let environments = ServerlessEnvironments(repository: repository)
        try await SecretResolution.withResolver(timeToLive: secretTimeToLive, fallback: managerCredentials) { resolver in
            await cancelWhenGracefulShutdown {
                await withTaskGroup(of: Void.self) { group in
                    for index in 0..<workers {
                        let source = RepositoryTaskSource(repository: repository, keyring: keyring, resolver: resolver, owner: "serverless:\(instance):\(index)",
                                                          lease: lease, finishes: finishes) { try await environments.current() }
                        group.addTask { await TaskWorker(source: source, executor: executor, idleDelay: idleDelay, logger: logger).run() }
                    }
                }
            }
        }
    }
}

/// Every organization's serverless environment, read again every few seconds (organizations come and go).
actor ServerlessEnvironments {
    let repository: any ConnectorRepository
    private var known: [RuntimeEnvironmentID] = []
    private var readAt = Date.distantPast

    init(repository: any ConnectorRepository) { self.repository = repository }

    func current() async throws -> [RuntimeEnvironmentID] {
        if Date().timeIntervalSince(readAt) > 5 {
            var found: [RuntimeEnvironmentID] = []
            for organization in try await repository.organizations() {
                found += try await repository.runtimeEnvironments(of: organization.id).filter { $0.kind == .serverless }.map(\.id)
            }
            known = found
            readAt = Date()
        }
        return known
    }
}
