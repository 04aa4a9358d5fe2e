import Logging
import ServiceLifecycle

/// Where a command's repositories run: a PostgreSQL repository (a ServiceLifecycle service, its postgres-nio client
/// lending connections only while it runs) runs in a child task of the command's own task group, from when the command
/// opens it until the command returns, and its connections are closed then, before the process ends.
final class RepositoryScope: Sendable {
    @TaskLocal static var current: RepositoryScope?

    private let services: AsyncStream<any Service>.Continuation

    private init(services: AsyncStream<any Service>.Continuation) {
        self.services = services
    }

    /// Runs `command` with a scope its repositories run in; they are cancelled, and waited for, once it returns or throws.
    static func run(logger: Logger, _ command: () async throws -> Void) async throws {
        let (opened, sink) = AsyncStream.makeStream(of: (any Service).self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Each repository the command opens runs beside it; cancelled, this waits for every one to end.
                await withDiscardingTaskGroup { running in
                    for await service in opened {
                        running.addTask {
                            do {
                                try await service.run()
                            } catch {
                                logger.error("a repository stopped serving connections", metadata: ["error": "\(error)"])
                            }
                        }
                    }
                }
            }
            defer {
                sink.finish()
                group.cancelAll()
            }
            try await $current.withValue(RepositoryScope(services: sink)) { try await command() }
        }
    }

    /// Runs `service` beside the command until the command returns.
    func run(_ service: any Service) {
        services.yield(service)
    }
}
