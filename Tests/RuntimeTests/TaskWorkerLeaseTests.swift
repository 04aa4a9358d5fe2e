import Foundation
import Logging
import QlikConnections
import Runtime
import Testing

@Suite("A worker stops working on a task it no longer holds, and says why")
struct TaskWorkerLeaseTests {
    /// A source whose service refuses log lines or outcomes as it would for a task the worker lost; it notes what it was asked.
    actor RefusingSource: TaskSource {
        nonisolated let lease: TimeInterval = 30
        let refuseLogs: Bool
        let finishRefusal: (any Error)?
        private(set) var finished: [TaskOutcome] = []
        private(set) var logAttempts = 0

        init(refuseLogs: Bool, finishRefusal: (any Error)?) {
            self.refuseLogs = refuseLogs
            self.finishRefusal = finishRefusal
        }

        func claim() async throws -> ClaimedTask? { nil }
        func renew(_ lease: TaskLease) async throws -> Bool { true }
        func finish(_ lease: TaskLease, _ outcome: TaskOutcome) async throws {
            finished.append(outcome)
            if let finishRefusal { throw finishRefusal }
        }
        func log(_ lease: TaskLease, _ lines: [TaskLogLine]) async throws {
            logAttempts += 1
            if refuseLogs { throw TaskLeaseLost("The service refused the task's 1 log line(s) (409 lease_lost: another worker runs it)") }
        }
    }

    /// Log lines kept in memory, to read what the worker said.
    final class Lines: LogHandler, @unchecked Sendable {
        private let lock = NSLock()
        private var kept: [String] = []
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { lock.withLock { kept.append("\(event.message) \(event.metadata ?? [:])") } }
        var text: String { lock.withLock { kept.joined(separator: "\n") } }
    }

    static func noop(milliseconds: Int) throws -> ClaimedTask {
        let record = TaskRecord(organizationID: OrganizationID(), runtimeEnvironmentID: RuntimeEnvironmentID(), connectionID: nil, connectionName: nil,
                                kind: .noop, payload: try TaskResults.encode(NoopPayload(milliseconds: milliseconds)), requestedBy: "test")
        return ClaimedTask(record: record, lease: TaskLease(task: record.id, token: TaskLease.newToken()), connection: nil)
    }

    @Test("log lines refused (the task is no longer this worker's) stop a 2-minute task at once: no outcome is sent, and the worker logs the service's reason")
    func refusedLogLinesStopTheRun() async throws {
        let lines = Lines()
        let logger = Logger(label: "worker") { _ in lines }
        let source = RefusingSource(refuseLogs: true, finishRefusal: nil)
        let started = ContinuousClock.now
        await TaskWorker(source: source, executor: TaskExecutor(logger: logger), logger: logger).runOne(try Self.noop(milliseconds: 120_000))
        // Far below the task's 2 minutes, with room for a test machine whose cores are busy with other suites.
        #expect(ContinuousClock.now - started < .seconds(60), "stopped at the refusal, not after the task's 2 minutes")
        #expect(await source.finished.isEmpty, "no outcome for a task that is not this worker's")
        #expect(await source.logAttempts == 1)
        #expect(lines.text.contains("the service refused the task's log lines") && lines.text.contains("409 lease_lost"), "\(lines.text)")
        #expect(lines.text.contains("stopped working on the task"), "\(lines.text)")
    }

    @Test("an outcome refused as the lease was lost, or refused as malformed, is logged with the service's reason, not as a failure to retry")
    func refusedOutcomes() async throws {
        for (refusal, said) in [(TaskLeaseLost("409 task_finished") as any Error, "no longer holds its lease"),
                                (TaskOutcomeRefused("422 result_malformed") as any Error, "refused the task's outcome and recorded the task as failed")] {
            let lines = Lines()
            let logger = Logger(label: "worker") { _ in lines }
            let source = RefusingSource(refuseLogs: false, finishRefusal: refusal)
            await TaskWorker(source: source, executor: TaskExecutor(logger: logger), logger: logger).runOne(try Self.noop(milliseconds: 0))
            #expect(await source.finished == [TaskOutcome(succeeded: true)])
            #expect(lines.text.contains(said) && lines.text.contains("\(refusal)") && !lines.text.contains("runs again"), "\(lines.text)")
        }
    }
}
