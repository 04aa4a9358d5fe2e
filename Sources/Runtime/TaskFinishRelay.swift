public import Logging
public import Repository
public import ServiceLifecycle

/// Passes word of tasks finished by other processes sharing the repository
/// (another replica's serverless pool, an agent reporting to another replica)
/// to this process's ``TaskFinishSignal``, so requests waiting here wake at
/// once. A lost connection is opened again after a pause; meanwhile waiters
/// still read the task on their fallback interval, so nothing waits forever.
public struct TaskFinishRelay: Service {
    let feed: any TaskFinishFeed
    let signal: TaskFinishSignal
    let retryDelay: Duration
    let logger: Logger

    public init(feed: any TaskFinishFeed, signal: TaskFinishSignal, retryDelay: Duration = .seconds(2), logger: Logger) {
        self.feed = feed
        self.signal = signal
        self.retryDelay = retryDelay
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await follow() }
    }

    /// Follows until cancelled, opening the feed again whenever it ends; `listening` is called each time the feed is in place.
    /// For a caller that runs it in a task group of its own rather than as a service.
    public func follow(listening: @escaping @Sendable () -> Void = {}) async {
        while !Task.isCancelled {
            do {
                try await feed.followTaskFinishes(listening: listening) { [signal] id in signal.finished(id) }
            } catch {
                logger.warning("lost word of tasks finished by other processes; listening again shortly (waiting requests read their task meanwhile)",
                               metadata: ["error": "\(error)"])
            }
            do {
                try await Task.sleep(for: retryDelay)
            } catch {
                return  // Cancelled during the pause: following ends.
            }
        }
    }
}
