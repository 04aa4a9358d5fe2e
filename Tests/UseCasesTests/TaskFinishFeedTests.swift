import Foundation
import Logging
import QlikConnections
import Repository
import Runtime
import Testing
import TestRepositories
import UseCases

/// On PostgreSQL a finish is announced to every process on the database (LISTEN/NOTIFY), so a request waiting in one
/// replica wakes when another replica finishes its task. Hangs, not slowness, fail these: the limit only detects one.
@Suite("Finished tasks announced across processes sharing a PostgreSQL database", .timeLimit(.minutes(10)))
struct TaskFinishFeedTests {
    static let quiet = Logger(label: "task-finish-feed") { _ in SwiftLogNoOpLogHandler() }

    @Test("a finish committed through another handle is heard, in commit order; a finish the lease refuses is not announced")
    func heardFromAnotherHandle() async throws {
        let fixture = try await TaskFixture(.postgres)
        let feed = try #require(fixture.repository as? any TaskFinishFeed)
        let other = try await fixture.store.reopen()
        let submission = TaskSubmission(queue: other)
        let refused = try await submission.queue(fixture.task(on: fixture.serverless), on: fixture.serverless)
        let accepted = try await submission.queue(fixture.task(on: fixture.serverless), on: fixture.serverless)
        let heard = try await Self.firstHeard(on: feed) {
            let first = try #require(try await other.claim(in: [fixture.serverless.id], owner: "other", lease: 60, now: Date()))
            let second = try #require(try await other.claim(in: [fixture.serverless.id], owner: "other", lease: 60, now: Date()))
            #expect(Set([first.id, second.id]) == [refused.record.id, accepted.record.id])
            let byID = [first.id: first, second.id: second]
            let staleLease = TaskLease(task: refused.record.id, token: "not-the-token")
            #expect(try await other.finish(staleLease, owner: "other", succeeded: true, result: nil, error: nil, at: Date()) == false)
            let lease = try #require(byID[accepted.record.id]?.lease)
            #expect(try await other.finish(lease, in: fixture.organization.id, owner: "other", succeeded: true, result: nil, error: nil,
                                           logs: [TaskLogLine(at: Date(), level: "info", message: "done")], at: Date()))
        }
        #expect(heard == accepted.record.id)
    }

    @Test("a wait in one process, relayed, ends when another process finishes the task, though its fallback read is an hour away")
    func relayWakesTheWait() async throws {
        let fixture = try await TaskFixture(.postgres)
        let feed = try #require(fixture.repository as? any TaskFinishFeed)
        let other = try await fixture.store.reopen()
        let submitted = try await TaskSubmission(queue: fixture.repository).queue(fixture.task(on: fixture.serverless), on: fixture.serverless)
        let signal = TaskFinishSignal()
        let relay = TaskFinishRelay(feed: feed, signal: signal, logger: Self.quiet)
        let (listening, ready) = AsyncStream<Void>.makeStream()
        let outcome = try await withThrowingTaskGroup(of: TaskWaitOutcome?.self) { group in
            group.addTask { await relay.follow { ready.yield() }; return nil }
            for await _ in listening { break }
            group.addTask { try await TaskWaiter(tasks: fixture.repository, finishes: signal, polling: .seconds(3600)).wait(for: submitted, until: .now + .seconds(3600)) }
            let claimed = try #require(try await other.claim(in: [fixture.serverless.id], owner: "other", lease: 60, now: Date()))
            #expect(try await other.finish(try #require(claimed.lease), owner: "other", succeeded: true, result: nil, error: nil, at: Date()))
            var ended: TaskWaitOutcome?
            while ended == nil, let next = try await group.next() { ended = next }
            group.cancelAll()
            return ended
        }
        guard case .finished(let task) = outcome else { Issue.record("the wait did not end with the finished task: \(String(describing: outcome))"); return }
        #expect(task.state == .succeeded)
    }

    @Test("the command line's wait on PostgreSQL ends on another process's finish though its reads are an hour apart; on SQLite it reads")
    func commandLineWait() async throws {
        for backend in RepositoryBackend.allCases {
            let fixture = try await TaskFixture(backend)
            let other = try await fixture.store.reopen()
            let submitted = try await TaskSubmission(queue: fixture.repository).queue(fixture.task(on: fixture.serverless), on: fixture.serverless)
            let polling: Duration = backend == .postgres ? .seconds(3600) : .milliseconds(50)
            let (listening, ready) = AsyncStream<Void>.makeStream()
            async let outcome = TaskWaiter.wait(for: submitted, in: fixture.repository, until: .now + .seconds(3600), polling: polling,
                                                logger: Self.quiet) { ready.yield() }
            let claimed = try #require(try await other.claim(in: [fixture.serverless.id], owner: "other", lease: 60, now: Date()))
            // Finished once the announcements are followed: a finish before would be found only by the hour-away read.
            for await _ in listening { break }
            #expect(try await other.finish(try #require(claimed.lease), owner: "other", succeeded: true, result: nil, error: nil, at: Date()))
            guard case .finished(let task) = try await outcome else { Issue.record("\(backend): the wait did not end with the finished task"); continue }
            #expect(task.state == .succeeded)
        }
    }

    /// Follows `feed` while `body` runs after the listener is in place; answers the first task id heard.
    static func firstHeard(on feed: any TaskFinishFeed, after body: @escaping @Sendable () async throws -> Void) async throws -> TaskID? {
        let (ids, heard) = AsyncStream<TaskID>.makeStream()
        let (listening, ready) = AsyncStream<Void>.makeStream()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await feed.followTaskFinishes(listening: { ready.yield() }) { heard.yield($0) } }
            for await _ in listening { break }
            try await body()
            var first: TaskID?
            for await id in ids { first = id; break }
            group.cancelAll()
            return first
        }
    }
}
