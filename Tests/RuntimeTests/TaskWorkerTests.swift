import Foundation
import QlikConnections
import Runtime
import Testing

/// The worker against an in-memory task source, on a clock the test moves: no test waits on real time. A behaviour
/// broken shows as a wait that never ends, which the time limit turns into a failure. The limit is a hang detector, not
/// a speed bound: in a full run on two cores a test's steps wait behind every other test's.
@Suite("A worker runs a task while it holds the lease, and reports it only then", .timeLimit(.minutes(10)))
struct TaskWorkerTests {
    static let outcome = TaskOutcome(succeeded: true, result: Data(#"{"rows":3}"#.utf8))

    let clock = ManualClock()
    let log = RecordedLog()

    func workerOn(_ source: InMemoryTaskSource, _ task: ScriptedTask) -> TaskWorker {
        TaskWorker(source: source, execute: { await task.execute($0, log: $1) }, idleDelay: .milliseconds(100), clock: clock, logger: log.logger)
    }

    @Test("the lease is renewed every third of its length while the task runs; its outcome is then reported once")
    func renewsEveryThirdOfLease() async throws {
        let source = InMemoryTaskSource(lease: 30), task = ScriptedTask(), claimed = try InMemoryTaskSource.claimedTask()
        let worker = workerOn(source, task)
        async let ran: Void = worker.runOne(claimed)
        await clock.sleeping()
        clock.advance(by: .seconds(9))
        #expect(await source.renewals.isEmpty, "not renewed before a third of the 30-second lease")
        clock.advance(by: .seconds(1))
        await clock.sleeping()
        #expect(await source.renewals == [claimed.lease])
        clock.advance(by: .seconds(10))
        await clock.sleeping()
        #expect(await source.renewals == [claimed.lease, claimed.lease])
        task.end(with: Self.outcome)
        await ran
        #expect(await source.finished == [Self.outcome])
        #expect(!task.wasCancelled)
    }

    @Test("a renewal answered 'lost', or refused by the service, stops the task at once: it is cancelled and no outcome is reported",
          arguments: [InMemoryTaskSource.Renewal.lost, .refused])
    func leaseLostStopsTask(answer: InMemoryTaskSource.Renewal) async throws {
        let source = InMemoryTaskSource(lease: 30, renewals: [answer]), task = ScriptedTask()
        let worker = workerOn(source, task), claimed = try InMemoryTaskSource.claimedTask()
        async let ran: Void = worker.runOne(claimed)
        await task.waitUntilStarted()
        await clock.sleeping()
        clock.advance(by: .seconds(10))
        await ran
        #expect(task.wasCancelled)
        #expect(await source.finished.isEmpty)
        #expect(log.text.contains("stopped working on the task: this worker no longer holds its lease"), "\(log.text)")
    }

    @Test("renewals that get no answer keep the task until the lease runs out, then stop it with no outcome")
    func leaseExpiresWhenRenewFails() async throws {
        let source = InMemoryTaskSource(lease: 30, laterRenewals: .unreachable), task = ScriptedTask()
        let worker = workerOn(source, task), claimed = try InMemoryTaskSource.claimedTask()
        async let ran: Void = worker.runOne(claimed)
        for _ in 1...2 {
            await clock.sleeping()
            clock.advance(by: .seconds(10))
        }
        await clock.sleeping()
        #expect(await source.renewals.count == 2)
        #expect(!task.wasCancelled, "20 seconds into a 30-second lease, the task still runs")
        clock.advance(by: .seconds(10))
        await ran
        #expect(await source.renewals.count == 3)
        #expect(task.wasCancelled)
        #expect(await source.finished.isEmpty)
        #expect(log.text.contains("the lease could not be renewed; trying again") && log.text.contains("did not answer"), "\(log.text)")
    }

    @Test("a renewal answered after an outage holds the lease a full length from then")
    func renewalAfterOutageExtendsLease() async throws {
        let source = InMemoryTaskSource(lease: 30, renewals: [.unreachable, .unreachable, .renewed, .unreachable, .unreachable])
        let task = ScriptedTask()
        let worker = workerOn(source, task), claimed = try InMemoryTaskSource.claimedTask()
        async let ran: Void = worker.runOne(claimed)
        // Renewed at 30 s after two misses; misses at 40 and 50 s are inside the new lease, which ends at 60 s.
        for _ in 1...5 {
            await clock.sleeping()
            clock.advance(by: .seconds(10))
        }
        await clock.sleeping()
        #expect(await source.renewals.count == 5)
        #expect(!task.wasCancelled)
        task.end(with: Self.outcome)
        await ran
        #expect(await source.finished == [Self.outcome])
    }

    @Test("a worker stopped mid-task cancels the task and reports nothing: the lease is left to run out, so another worker runs it")
    func stopMidTaskLeavesLeaseToExpire() async throws {
        let source = InMemoryTaskSource(lease: 30), task = ScriptedTask()
        let worker = workerOn(source, task), claimed = try InMemoryTaskSource.claimedTask()
        await source.enqueue(claimed)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await worker.run() }
            await task.waitUntilStarted()
            group.cancelAll()
        }
        #expect(task.wasCancelled)
        #expect(await source.finished.isEmpty)
        #expect(await source.claims == 1, "a stopped worker claims nothing more")
        #expect(log.text.contains("stopped during a task; it runs again elsewhere once its lease runs out"), "\(log.text)")
        #expect(!log.text.contains("no longer holds its lease"), "a stop is not a lease lost")
    }

    @Test("an idle worker asks for a task once per idle delay, and takes a queued task at its next ask")
    func idleWorkerPollsAtIdleDelay() async throws {
        let source = InMemoryTaskSource(), task = ScriptedTask(), claimed = try InMemoryTaskSource.claimedTask()
        let worker = workerOn(source, task)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await worker.run() }
            await clock.sleeping()
            #expect(await source.claims == 1)
            clock.advance(by: .milliseconds(99))
            #expect(await source.claims == 1, "not asked again before the idle delay")
            clock.advance(by: .milliseconds(1))
            await clock.sleeping()
            #expect(await source.claims == 2)
            await source.enqueue(claimed)
            clock.advance(by: .milliseconds(100))
            await task.waitUntilStarted()
            #expect(await source.claims == 3)
            group.cancelAll()
        }
    }

    @Test("a task queue that does not answer is logged and asked again after ten idle delays")
    func unansweredQueueIsAskedAgainLater() async throws {
        let source = InMemoryTaskSource(claimFailures: 1), task = ScriptedTask()
        let worker = workerOn(source, task)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await worker.run() }
            await clock.sleeping()
            clock.advance(by: .milliseconds(999))
            #expect(await source.claims == 1, "not asked again within ten idle delays")
            clock.advance(by: .milliseconds(1))
            await clock.sleeping()
            #expect(await source.claims == 2)
            group.cancelAll()
        }
        #expect(log.text.contains("the task queue did not answer; trying again"), "\(log.text)")
    }

    @Test("an outcome the service refuses as malformed is logged with its reason, as recorded failed, not as one to retry")
    func refusedOutcomeIsLogged() async throws {
        let source = InMemoryTaskSource(finishRefusal: TaskOutcomeRefused("422 result_malformed")), task = ScriptedTask()
        let worker = workerOn(source, task), claimed = try InMemoryTaskSource.claimedTask()
        async let ran: Void = worker.runOne(claimed)
        await task.waitUntilStarted()
        task.end(with: Self.outcome)
        await ran
        #expect(await source.finished == [Self.outcome])
        #expect(log.text.contains("the service refused the task's outcome and recorded the task as failed") && log.text.contains("422 result_malformed"),
                "\(log.text)")
        #expect(!log.text.contains("runs again"), "\(log.text)")
    }

    @Test("an outcome refused because the lease was lost is logged as not recorded, with the service's reason")
    func outcomeAfterLeaseLostIsLogged() async throws {
        let source = InMemoryTaskSource(finishRefusal: TaskLeaseLost("409 task_finished")), task = ScriptedTask()
        let worker = workerOn(source, task), claimed = try InMemoryTaskSource.claimedTask()
        async let ran: Void = worker.runOne(claimed)
        await task.waitUntilStarted()
        task.end(with: Self.outcome)
        await ran
        #expect(log.text.contains("the task's outcome was not recorded: this worker no longer holds its lease") && log.text.contains("409 task_finished"),
                "\(log.text)")
        #expect(!log.text.contains("runs again"), "\(log.text)")
    }

    @Test("log lines the service refuses (the task is no longer this worker's) stop the task at once: it is cancelled, no outcome is reported, the reason is logged")
    func refusedLogLinesStopTheRun() async throws {
        let source = InMemoryTaskSource(logRefusal: TaskLeaseLost("409 lease_lost: another worker runs it"))
        let task = ScriptedTask(logging: ["step 1"])
        let claimed = try InMemoryTaskSource.claimedTask()
        await workerOn(source, task).runOne(claimed)
        #expect(task.wasCancelled)
        #expect(task.logError?.contains("409 lease_lost") == true)
        #expect(await source.logged == ["step 1"])
        #expect(await source.finished.isEmpty)
        #expect(log.text.contains("the service refused the task's log lines") && log.text.contains("409 lease_lost"), "\(log.text)")
        #expect(log.text.contains("stopped working on the task"), "\(log.text)")
    }
}
