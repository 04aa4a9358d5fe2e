import Foundation
public import Logging
package import QlikConnections

/// Runs tasks from a source one at a time until cancelled: claims one, runs
/// it while renewing its lease, and reports how it ended. A lease lost
/// meanwhile (this worker was too slow to renew, and another took the task
/// over) stops the run and reports nothing: the other worker owns it now.
public struct TaskWorker: Sendable {
    /// Runs one claimed task, writing its log lines through the closure it is given: a ``TaskExecutor``'s `execute`.
    package typealias Execute = @Sendable (ClaimedTask, @escaping @Sendable ([TaskLogLine]) async throws -> Void) async -> TaskOutcome

    let source: any TaskSource
    let execute: Execute
    let idleDelay: Duration
    /// Paces polling and renewals and measures the lease; a test moves it by hand.
    let clock: any Clock<Duration>
    let logger: Logger

    public init(source: any TaskSource, executor: TaskExecutor, idleDelay: Duration = .milliseconds(100),
                clock: any Clock<Duration> = ContinuousClock(), logger: Logger) {
        self.init(source: source, execute: { await executor.execute($0, log: $1) }, idleDelay: idleDelay, clock: clock, logger: logger)
    }

    /// A worker around any way of running a task; tests give a scripted one to see it started and cancelled.
    package init(source: any TaskSource, execute: @escaping Execute, idleDelay: Duration = .milliseconds(100),
                 clock: any Clock<Duration> = ContinuousClock(), logger: Logger) {
        self.source = source
        self.execute = execute
        self.idleDelay = idleDelay
        self.clock = clock
        self.logger = logger
    }

    public func run() async {
        while !Task.isCancelled {
            do {
                if let claimed = try await source.claim() {
                    await runOne(claimed)
                } else {
                    try await clock.sleep(for: idleDelay)
                }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("the task queue did not answer; trying again", metadata: ["error": "\(error)"])
                do { try await clock.sleep(for: idleDelay * 10) } catch { return }
            }
        }
    }

    /// One task: its outcome, or nothing when its lease was lost.
    public func runOne(_ claimed: ClaimedTask) async {
        let id = claimed.record.id, lease = claimed.lease
        var logger = logger
        logger[metadataKey: "task"] = "\(id)"
        let source = self.source, execute = self.execute, clock = self.clock
        let taskLogger = logger
        // Log lines refused because the task is no longer this worker's end the run at once, as a lost renewal does.
        let (refusals, refused) = AsyncStream.makeStream(of: TaskLeaseLost.self, bufferingPolicy: .bufferingNewest(1))
        let outcome: TaskOutcome? = await withTaskGroup(of: TaskOutcome?.self) { group in
            group.addTask {
                await execute(claimed, { lines in
                    do { try await source.log(lease, lines) } catch let lost as TaskLeaseLost {
                        refused.yield(lost)
                        throw lost
                    }
                })
            }
            group.addTask { await Self.keepLease(lease, source: source, clock: clock, logger: taskLogger) }
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
        // Checked first: a stop ends the lease keeper too, which is not a lease lost.
        if Task.isCancelled {
            // Stopped mid-task: no outcome is claimed for work cut short; the lease runs out and another worker runs it.
            logger.notice("stopped during a task; it runs again elsewhere once its lease runs out")
            return
        }
        guard let outcome else {
            logger.warning("stopped working on the task: this worker no longer holds its lease, another worker runs it or it is over")
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

    /// Renews the lease every third of its length; returns (nil) only when it is lost. The lease's end is measured on
    /// the worker's clock, so a wall-clock jump neither ends it early nor stretches it.
    static func keepLease<C: Clock<Duration>>(_ lease: TaskLease, source: any TaskSource, clock: C, logger: Logger) async -> TaskOutcome? {
        let length = Duration.milliseconds(Int(source.lease * 1000))
        var heldUntil = clock.now.advanced(by: length)
        while true {
            do {
                try await clock.sleep(for: length / 3)
            } catch {
                return nil
            }
            do {
                if try await source.renew(lease) {
                    heldUntil = clock.now.advanced(by: length)
                } else {
                    return nil
                }
            } catch let lost as TaskLeaseLost {
                logger.warning("the task is no longer this worker's", metadata: ["reason": "\(lost)"])
                return nil
            } catch {
                // Unreachable for now: the lease still holds until it runs out.
                logger.warning("the lease could not be renewed; trying again", metadata: ["error": "\(error)"])
                if clock.now >= heldUntil { return nil }
            }
        }
    }
}
