import Foundation
import QlikConnections
import Synchronization
import Testing
@testable import Repository
import TestRepositories

@Suite("The task queue: leases, exactly-once, retries; Secure Agents")
struct TaskQueueTests {
    func task(_ fixture: RepositoryFixture, kind: TaskKind = .noop, maxAttempts: Int = 3, at: Date = Date()) async throws -> TaskRecord {
        let serverless = try #require(try await fixture.repository.runtimeEnvironments(of: fixture.organization.id).first)
        return TaskRecord(organizationID: fixture.organization.id, runtimeEnvironmentID: serverless.id, connectionID: nil, connectionName: nil,
                          kind: kind, maxAttempts: maxAttempts, requestedBy: "test", createdAt: at)
    }

    @Test("400 tasks, 8 workers on their own repository handles: each task is claimed and finished exactly once", arguments: RepositoryBackend.allCases)
    func exactlyOnce(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let environment = try #require(try await fixture.repository.runtimeEnvironments(of: fixture.organization.id).first).id
        let start = Date()
        for index in 0..<400 { try await fixture.repository.enqueue(try await task(fixture, at: start.addingTimeInterval(Double(index) / 1000))) }
        let claimed = try await withThrowingTaskGroup(of: [TaskID].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    let repository = try await fixture.store.reopen()
                    var mine: [TaskID] = []
                    while let task = try await repository.claim(in: [environment], owner: "worker-\(worker)", lease: 60, now: Date()) {
                        #expect(try await repository.finish(try #require(task.lease), owner: "worker-\(worker)", succeeded: true, result: nil, error: nil,
                                                            at: Date()))
                        mine.append(task.id)
                    }
                    await repository.close()
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(claimed.count == 400 && Set(claimed).count == 400)
        let all = try await fixture.repository.tasks(of: fixture.organization.id, limit: 1000)
        #expect(all.count == 400 && all.allSatisfy { $0.state == .succeeded && $0.attempts == 1 })
    }

    @Test("a lease that runs out puts the task back; the old owner cannot renew or finish it; after its last attempt it fails", arguments: RepositoryBackend.allCases)
    func leases(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let queued = try await task(fixture, maxAttempts: 2)
        let environment = queued.runtimeEnvironmentID
        try await fixture.repository.enqueue(queued)
        let t0 = Date()
        let first = try #require(try await fixture.repository.claim(in: [environment], owner: "a", lease: 30, now: t0))
        #expect(first.id == queued.id && first.state == .running && first.attempts == 1 && first.leaseOwner == "a")
        let firstLease = try #require(first.lease)
        #expect(try await fixture.repository.claim(in: [environment], owner: "b", lease: 30, now: t0.addingTimeInterval(10)) == nil, "leased: nobody else gets it")
        #expect(try await fixture.repository.renewLease(firstLease, owner: "a", until: t0.addingTimeInterval(40)))
        #expect(try await fixture.repository.claim(in: [environment], owner: "b", lease: 30, now: t0.addingTimeInterval(35)) == nil, "renewed")
        // Worker a dies: its lease runs out and b takes the task over.
        let second = try #require(try await fixture.repository.claim(in: [environment], owner: "b", lease: 30, now: t0.addingTimeInterval(41)))
        #expect(second.attempts == 2 && second.leaseOwner == "b")
        #expect(try await !fixture.repository.renewLease(firstLease, owner: "a", until: t0.addingTimeInterval(100)))
        #expect(try await !fixture.repository.finish(firstLease, owner: "a", succeeded: true, result: nil, error: nil, at: t0.addingTimeInterval(42)))
        // b dies too: two attempts were all it had.
        #expect(try await fixture.repository.claim(in: [environment], owner: "c", lease: 30, now: t0.addingTimeInterval(80)) == nil)
        let failed = try await fixture.repository.task(queued.id, in: fixture.organization.id)
        #expect(failed.state == .failed && failed.error?.contains("lost its worker 2 time(s)") == true)
    }

    @Test("logs keep their order; results and errors are kept; tasks list newest first; other organizations see none", arguments: RepositoryBackend.allCases)
    func logsAndResults(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let older = try await task(fixture, kind: .test, at: Date().addingTimeInterval(-5))
        let newer = try await task(fixture, kind: .noop)
        try await fixture.repository.enqueue(older)
        try await fixture.repository.enqueue(newer)
        let claimed = try #require(try await fixture.repository.claim(in: [older.runtimeEnvironmentID], owner: "w", lease: 60, now: Date()))
        #expect(claimed.id == older.id, "the oldest first")
        let lease = try #require(claimed.lease)
        #expect(try await fixture.repository.appendLog(lease, owner: "w", [TaskLogLine(message: "one"), TaskLogLine(level: "warning", message: "two")]))
        #expect(try await fixture.repository.appendLog(lease, owner: "w", [TaskLogLine(message: "three")]))
        #expect(try await fixture.repository.finish(lease, owner: "w", succeeded: false, result: Data(#"{"ok":false}"#.utf8), error: "it broke", at: Date()))
        #expect(try await fixture.repository.logs(of: claimed.id).map(\.message) == ["one", "two", "three"])
        let stored = try await fixture.repository.task(claimed.id, in: fixture.organization.id)
        #expect(stored.state == .failed && stored.error == "it broke" && stored.result == Data(#"{"ok":false}"#.utf8) && stored.finishedAt != nil)
        #expect(try await fixture.repository.tasks(of: fixture.organization.id, limit: 10).map(\.id) == [newer.id, older.id])
        await #expect(throws: RepositoryError.self) { _ = try await fixture.repository.task(claimed.id, in: OrganizationID()) }
    }

    @Test("an agent's finish keeps its log lines and outcome in one step, only while it holds the lease: never on another organization's task, nor after the task finished", arguments: RepositoryBackend.allCases)
    func finishWithLogs(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let queued = try await task(fixture)
        try await fixture.repository.enqueue(queued)
        let environment = queued.runtimeEnvironmentID
        let lease = try #require(try await fixture.repository.claim(in: [environment], owner: "a", lease: 60, now: Date())?.lease)
        #expect(try await fixture.repository.appendLog(lease, owner: "a", [TaskLogLine(message: "one")]))
        let lines = [TaskLogLine(message: "two"), TaskLogLine(level: "warning", message: "three, with 'quotes' and\nnewline")]
        #expect(try await !fixture.repository.finish(lease, in: OrganizationID(), owner: "a", succeeded: true, result: nil, error: nil,
                                                     logs: [TaskLogLine(message: "stranger")], at: Date()), "another organization's task")
        #expect(try await !fixture.repository.finish(lease, in: fixture.organization.id, owner: "b", succeeded: false, result: nil, error: "not mine",
                                                     logs: [TaskLogLine(message: "from b")], at: Date()), "not the lease holder")
        #expect(try await fixture.repository.finish(lease, in: fixture.organization.id, owner: "a", succeeded: true, result: Data(#"{"n":1}"#.utf8),
                                                    error: nil, logs: lines, at: Date()))
        #expect(try await !fixture.repository.finish(lease, in: fixture.organization.id, owner: "a", succeeded: false, result: nil, error: "again",
                                                     logs: [TaskLogLine(message: "late")], at: Date()), "a task finishes once")
        #expect(try await fixture.repository.logs(of: queued.id).map(\.message) == ["one", "two", "three, with 'quotes' and\nnewline"])
        let stored = try await fixture.repository.task(queued.id, in: fixture.organization.id)
        #expect(stored.state == .succeeded && stored.result == Data(#"{"n":1}"#.utf8) && stored.leaseOwner == nil && stored.leaseToken == nil)
    }

    @Test("only the lease holder of a running task adds log lines: not another worker, not the one whose lease was taken over, not anyone once it finished",
          arguments: RepositoryBackend.allCases)
    func onlyTheLeaseHolderLogs(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let queued = try await task(fixture, maxAttempts: 3)
        try await fixture.repository.enqueue(queued)
        let guessed = TaskLease(task: queued.id, token: TaskLease.newToken())
        #expect(try await !fixture.repository.appendLog(guessed, owner: "a", [TaskLogLine(message: "queued")]), "nobody holds a queued task")
        let t0 = Date()
        let a = try #require(try await fixture.repository.claim(in: [queued.runtimeEnvironmentID], owner: "a", lease: 30, now: t0)?.lease)
        #expect(try await !fixture.repository.appendLog(a, owner: "b", [TaskLogLine(message: "b, not holding")]), "a's token is not b's")
        #expect(try await !fixture.repository.appendLog(a, owner: "b", []), "no lines: whether it holds the lease")
        #expect(try await fixture.repository.appendLog(a, owner: "a", []))
        #expect(try await fixture.repository.appendLog(a, owner: "a", [TaskLogLine(message: "a-1"), TaskLogLine(message: "a-2")]))
        // a's lease runs out and b takes the task over: a's late lines are refused, b's kept.
        let b = try #require(try await fixture.repository.claim(in: [queued.runtimeEnvironmentID], owner: "b", lease: 30, now: t0.addingTimeInterval(31))?.lease)
        #expect(try await !fixture.repository.appendLog(a, owner: "a", [TaskLogLine(message: "a, taken over")]))
        #expect(try await fixture.repository.appendLog(b, owner: "b", [TaskLogLine(message: "b-1")]))
        #expect(try await fixture.repository.finish(b, owner: "b", succeeded: true, result: nil, error: nil, at: Date()))
        #expect(try await !fixture.repository.appendLog(b, owner: "b", [TaskLogLine(message: "b, after the end")]), "a finished task takes no lines")
        #expect(try await fixture.repository.logs(of: queued.id).map(\.message) == ["a-1", "a-2", "b-1"])
    }

    @Test("two workers of one owner (two of an agent's): once the first one's lease ran out and the second claimed the task again, the first claim renews, logs and finishes nothing and nothing of it is kept; the second claim's are",
          arguments: RepositoryBackend.allCases)
    func twoClaimsOfOneOwner(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let queued = try await task(fixture, maxAttempts: 3)
        try await fixture.repository.enqueue(queued)
        let environment = queued.runtimeEnvironmentID, organization = fixture.organization.id, owner = "agent:one"
        let t0 = Date()
        // Worker 1 and worker 2 run side by side on their own repository handles, as an agent's workers do behind the service.
        let worker1 = try await fixture.store.reopen(), worker2 = try await fixture.store.reopen()
        let first = try #require(try await worker1.claim(in: [environment], owner: owner, lease: 30, now: t0))
        let firstLease = try #require(first.lease)
        #expect(try await worker1.appendLog(firstLease, owner: owner, [TaskLogLine(message: "first, while it holds the lease")]))
        // Worker 1 stalls past its lease; worker 2 of the same owner claims the task again.
        let second = try #require(try await worker2.claim(in: [environment], owner: owner, lease: 30, now: t0.addingTimeInterval(31)))
        let secondLease = try #require(second.lease)
        #expect(second.id == first.id && second.attempts == 2 && second.leaseOwner == owner && secondLease != firstLease)

        #expect(try await !worker1.renewLease(firstLease, owner: owner, until: t0.addingTimeInterval(90)), "the first claim renews nothing")
        #expect(try await !worker1.appendLog(firstLease, owner: owner, [TaskLogLine(message: "first, after its lease ran out")]))
        #expect(try await !worker1.appendLog(firstLease, owner: owner, []), "no lines: the first claim does not hold the task")
        #expect(try await !worker1.finish(firstLease, owner: owner, succeeded: false, result: nil, error: "first says it failed", at: Date()))
        #expect(try await !worker1.finish(firstLease, in: organization, owner: owner, succeeded: false, result: Data(#"{"by":"first"}"#.utf8),
                                          error: "first says it failed", logs: [TaskLogLine(message: "first, with its outcome")], at: Date()))
        let meanwhile = try await fixture.repository.task(queued.id, in: organization)
        #expect(meanwhile.state == .running && meanwhile.leaseToken == secondLease.token && meanwhile.error == nil && meanwhile.result == nil,
                "the first claim's outcome is not kept")

        #expect(try await worker2.renewLease(secondLease, owner: owner, until: t0.addingTimeInterval(90)))
        #expect(try await worker2.appendLog(secondLease, owner: owner, [TaskLogLine(message: "second-1")]))
        #expect(try await worker2.finish(secondLease, in: organization, owner: owner, succeeded: true, result: Data(#"{"by":"second"}"#.utf8), error: nil,
                                         logs: [TaskLogLine(message: "second-2")], at: Date()))
        #expect(try await !worker1.finish(firstLease, owner: owner, succeeded: false, result: nil, error: "first, late", at: Date()), "over: still refused")
        await worker1.close()
        await worker2.close()

        #expect(try await fixture.repository.logs(of: queued.id).map(\.message) == ["first, while it holds the lease", "second-1", "second-2"],
                "one run's lines after the other's, none of the first claim's after its lease ran out")
        let stored = try await fixture.repository.task(queued.id, in: organization)
        #expect(stored.state == .succeeded && stored.result == Data(#"{"by":"second"}"#.utf8) && stored.error == nil && stored.leaseToken == nil)
    }

    @Test("log lines written at once by several handles of the lease holder are all kept, numbered apart; a worker that lost the lease writes none",
          arguments: RepositoryBackend.allCases)
    func concurrentLogLines(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let queued = try await task(fixture)
        try await fixture.repository.enqueue(queued)
        let lease = try #require(try await fixture.repository.claim(in: [queued.runtimeEnvironmentID], owner: "new", lease: 60, now: Date())?.lease)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    let repository = try await fixture.store.reopen()
                    for line in 0..<10 {
                        if writer == 0, line == 9 {
                            #expect(try await !repository.finish(lease, in: fixture.organization.id, owner: "old", succeeded: false, result: nil,
                                                                 error: nil, logs: [TaskLogLine(message: "old-a"), TaskLogLine(message: "old-b")], at: Date()))
                        } else {
                            #expect(try await repository.appendLog(lease, owner: "new", [TaskLogLine(message: "w\(writer)-\(line)")]))
                        }
                    }
                    await repository.close()
                }
            }
            try await group.waitForAll()
        }
        let kept = try await fixture.repository.logs(of: queued.id).map(\.message)
        #expect(kept.count == 39 && Set(kept).count == 39 && !kept.contains { $0.hasPrefix("old") }, "\(kept.count) lines")
    }

    @Test("on SQLite, a claim with nothing ready only reads: it answers while another process holds the write lock; the give-up sweep writes at most once a second")
    func idleClaimsRead() async throws {
        let fixture = try await RepositoryFixture(.sqlite)
        let environment = try #require(try await fixture.repository.runtimeEnvironments(of: fixture.organization.id).first).id
        let start = Date()
        // The first claim runs the sweep (a write); the next ones, within the second, must not write at all.
        #expect(try await fixture.repository.claim(in: [environment], owner: "w", lease: 60, now: start) == nil)
        let idle = try await fixture.store.whileWriteLocked {
            var answers: [TaskRecord?] = []
            for step in 1...20 {
                answers.append(try await fixture.repository.claim(in: [environment], owner: "w", lease: 60, now: start.addingTimeInterval(Double(step) / 100)))
            }
            return answers
        }
        #expect(idle.count == 20 && idle.allSatisfy { $0 == nil })
        let queued = try await task(fixture)
        try await fixture.repository.enqueue(queued)
        #expect(try await fixture.repository.claim(in: [environment], owner: "w", lease: 60, now: Date())?.id == queued.id, "a ready task is claimed as before")
    }

    @Test("agents: found by their token's hash, heard from, listed; names unique in a group", arguments: RepositoryBackend.allCases)
    func agents(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let group = RuntimeEnvironment(organizationID: fixture.organization.id, name: try RuntimeEnvironmentName("EU Agents"), kind: .secureAgentGroup)
        try await fixture.repository.createRuntimeEnvironment(group, by: fixture.actor)
        let agent = Agent(organizationID: fixture.organization.id, runtimeEnvironmentID: group.id, name: "eu-1")
        try await fixture.repository.createAgent(agent, tokenHash: Data([1, 2, 3]), by: fixture.actor)
        await #expect(throws: RepositoryError.duplicateName(kind: "agent in this Secure Agent group", name: "eu-1")) {
            try await fixture.repository.createAgent(Agent(organizationID: fixture.organization.id, runtimeEnvironmentID: group.id, name: "eu-1"),
                                                     tokenHash: Data([4]), by: fixture.actor)
        }
        #expect(try await fixture.repository.agent(forTokenHash: Data([1, 2, 3]))?.id == agent.id)
        #expect(try await fixture.repository.agent(forTokenHash: Data([9])) == nil)
        let now = Date()
        try await fixture.repository.heartbeat(agent.id, host: "host-a", version: "1.0", at: now)
        let listed = try await fixture.repository.agents(of: fixture.organization.id)
        #expect(listed.count == 1 && listed[0].host == "host-a" && listed[0].isAvailable(at: now))
    }

    @Test("an agent's own lease is kept with its heartbeat and decides its availability; a sign-off makes it unavailable at once, the next heartbeat ends it",
          arguments: RepositoryBackend.allCases)
    func agentLeaseAndSignOff(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let group = RuntimeEnvironment(organizationID: fixture.organization.id, name: try RuntimeEnvironmentName("EU Agents"), kind: .secureAgentGroup)
        try await fixture.repository.createRuntimeEnvironment(group, by: fixture.actor)
        let agent = Agent(organizationID: fixture.organization.id, runtimeEnvironmentID: group.id, name: "eu-1")
        try await fixture.repository.createAgent(agent, tokenHash: Data([7]), by: fixture.actor)
        let unheard = try #require(try await fixture.repository.agents(of: fixture.organization.id).first)
        #expect(unheard.lease == Agent.defaultLease && !unheard.isAvailable(at: Date()), "never heard from: the default lease, unavailable")

        let beat = Date().millisecondPrecision
        try await fixture.repository.heartbeat(agent.id, host: "host-a", version: "1.0", lease: 45.5, at: beat)
        let leased = try #require(try await fixture.repository.agents(of: fixture.organization.id).first)
        #expect(leased.lease == 45.5 && leased.stoppedAt == nil)
        #expect(leased.isAvailable(at: beat.addingTimeInterval(45)) && !leased.isAvailable(at: beat.addingTimeInterval(46)), "its own lease, not a fixed window")

        let stop = beat.addingTimeInterval(1)
        try await fixture.repository.signOff(agent.id, at: stop)
        let stopped = try #require(try await fixture.repository.agents(of: fixture.organization.id).first)
        #expect(stopped.stoppedAt == stop && stopped.lastHeartbeatAt == beat, "the last heartbeat stays for agent list")
        #expect(!stopped.isAvailable(at: stop), "unavailable at once, inside its lease")

        try await fixture.repository.heartbeat(agent.id, host: "host-a", version: "1.0", lease: 20, at: stop.addingTimeInterval(1))
        let back = try #require(try await fixture.repository.agents(of: fixture.organization.id).first)
        #expect(back.stoppedAt == nil && back.isAvailable(at: stop.addingTimeInterval(2)), "started again: available")
    }
}
