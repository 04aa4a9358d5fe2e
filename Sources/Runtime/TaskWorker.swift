import Foundation
public import Logging
import QlikConnections

/// Runs tasks from a source one at a time until cancelled: claims one, runs
/// it while renewing its lease, and reports how it ended. A lease lost
/// meanwhile (this worker was too slow to renew, and another took the task
/// over) stops the run and reports nothing: the other worker owns it now.
public struct TaskWorker: Sendable {
    let source: any TaskSource
    let executor: TaskExecutor
    let idleDelay: Duration
    let logger: Logger

    public init(source: any TaskSource, executor: TaskExecutor, idleDelay: Duration = .milliseconds(100), logger: Logger) {
        self.source = source
        self.executor = executor
        self.idleDelay = idleDelay
        self.logger = logger
    }

    public func run() async {
        while !Task.isCancelled {
            do {
                if let claimed = try await source.claim() {
                    await runOne(claimed)
                } else {
                    try await Task.sleep(for: idleDelay)
                }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("the task queue did not answer; trying again", metadata: ["error": "\(error)"])
                do { try await Task.sleep(for: idleDelay * 10) } catch { return }
            }
        }
    }

    /// One task: its outcome, or nothing when its lease was lost.
    public func runOne(_ claimed: ClaimedTask) async {
        let id = claimed.record.id, lease = claimed.lease
        var logger = logger
        logger[metadataKey: "task"] = "\(id)"
        let source = self.source, executor = self.executor
        let taskLogger = logger
        // Log lines refused because the task is no longer this worker's end the run at once, as a lost renewal does.
        let (refusals, refused) = AsyncStream.makeStream(of: TaskLeaseLost.self, bufferingPolicy: .bufferingNewest(1))
        let outcome: TaskOutcome? = await withTaskGroup(of: TaskOutcome?.self) { group in
            group.addTask {
                await executor.execute(claimed, log: { lines in
                    do { try await source.log(lease, lines) } catch let lost as TaskLeaseLost {
                        refused.yield(lost)
                        throw lost
                    }
                })
            }
            group.addTask { await Self.keepLease(lease, source: source, logger: taskLogger) }
            group.addTask {
                for await lost in refusals {
                    taskLogger.warning("the service refused the task's log lines", metadata: ["reason": "\(lost)"])
                    return nil
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        refused.finish()
        guard let outcome else {
            logger.warning("stopped working on the task: this worker no longer holds its lease, another worker runs it or it is over")
            return
        }
        if Task.isCancelled {
            // Stopped mid-task: no outcome is claimed for work cut short; the lease runs out and another worker runs it.
            logger.notice("stopped during a task; it runs again elsewhere once its lease runs out")
            return
        }
        do {
            try await source.finish(lease, outcome)
            logger.info("task finished", metadata: ["succeeded": "\(outcome.succeeded)"])
        } catch let lost as TaskLeaseLost {
            logger.warning("the task's outcome was not recorded: this worker no longer holds its lease", metadata: ["reason": "\(lost)"])
        } catch let refused as TaskOutcomeRefused {
            logger.error("the service refused the task's outcome and recorded the task as failed", metadata: ["reason": "\(refused)"])
        } catch {
            logger.error("the task's outcome could not be recorded; its lease will run out and it runs again", metadata: ["error": "\(error)"])
        }
    }

    /// Renews the lease every third of its length; returns (nil) only when it is lost.
    static func keepLease(_ lease: TaskLease, source: any TaskSource, logger: Logger) async -> TaskOutcome? {
        var heldUntil = Date().addingTimeInterval(source.lease)
        while true {
            do {
                try await Task.sleep(for: .milliseconds(Int(source.lease * 1000 / 3)))
            } catch {
                return nil
            }
            do {
                if try await source.renew(lease) {
                    heldUntil = Date().addingTimeInterval(source.lease)
                } else {
                    return nil
                }
            } catch let lost as TaskLeaseLost {
                logger.warning("the task is no longer this worker's", metadata: ["reason": "\(lost)"])
                return nil
            } catch {
                // Unreachable for now: the lease still holds until it runs out.
                logger.warning("the lease could not be renewed; trying again", metadata: ["error": "\(error)"])
                if Date() >= heldUntil { return nil }
            }
        }
    }
}
