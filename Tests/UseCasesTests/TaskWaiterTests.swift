import Foundation
import QlikConnections
import Repository
import Runtime
import Testing
import TestRepositories
import UseCases

@Suite("Waiting for a task: woken by a finish in this process, stopped when no agent is left, pending at the deadline")
struct TaskWaiterTests {
    // A lost signal would leave the wait to its hour-long fallback: the time limit fails it. The limit only detects a hang:
    // in a full run on two cores a test's steps queue behind every other test's, and one minute was once not enough (CI, stop 22).
    @Test("a finish signalled in this process wakes the wait at once: the task is read when the wait starts and when woken, never polled",
          .timeLimit(.minutes(10)), arguments: RepositoryBackend.allCases)
    func wakesOnFinishWithoutPolling(_ backend: RepositoryBackend) async throws {
        let fixture = try await TaskFixture(backend)
        let submitted = try await TaskSubmission(queue: fixture.repository).queue(fixture.task(on: fixture.serverless), on: fixture.serverless)
        let signal = TaskFinishSignal()
        let counted = CountingTaskQueue(fixture.repository)
        // A fallback far longer than the test's time limit: only the signal can end this wait.
        let waiter = TaskWaiter(tasks: counted, finishes: signal, polling: .seconds(3600))
        async let outcome = waiter.wait(for: submitted, until: .now + .seconds(3600))
        while counted.reads == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let claimed = try #require(try await fixture.repository.claim(in: [fixture.serverless.id], owner: "test", lease: 20, now: Date()))
        let lease = try #require(claimed.lease)
        #expect(try await fixture.repository.finish(lease, owner: "test", succeeded: true, result: nil, error: nil, at: Date()))
        signal.finished(claimed.id)
        guard case .finished(let task) = try await outcome else { Issue.record("the wait did not end with the finished task"); return }
        #expect(task.state == .succeeded && counted.reads == 2)
    }

    @Test("the serverless pool's task source signals each task it finishes, so a wait on it wakes without polling", arguments: RepositoryBackend.allCases)
    func serverlessFinishSignals(_ backend: RepositoryBackend) async throws {
        let fixture = try await TaskFixture(backend)
        let submitted = try await TaskSubmission(queue: fixture.repository).queue(fixture.task(on: fixture.serverless), on: fixture.serverless)
        let signal = TaskFinishSignal()
        let counted = CountingTaskQueue(fixture.repository)
        async let outcome = TaskWaiter(tasks: counted, finishes: signal, polling: .seconds(60)).wait(for: submitted, until: .now + .seconds(60))
        while counted.reads == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let serverless = fixture.serverless.id
        try await SecretResolution.withResolver { resolver in
            let source = RepositoryTaskSource(repository: fixture.repository, keyring: nil, resolver: resolver, owner: "serverless:test", finishes: signal) {
                [serverless]
            }
            let claimed = try #require(try await source.claim())
            try await source.finish(claimed.lease, TaskOutcome(succeeded: true))
        }
        guard case .finished = try await outcome else { Issue.record("the wait did not end with the finished task"); return }
        #expect(counted.reads == 2)
    }

    @Test("a wait on a Secure Agent group stops once the group's last agent signs off, long before its deadline", arguments: RepositoryBackend.allCases)
    func stopsWhenNoAgentLeft(_ backend: RepositoryBackend) async throws {
        let fixture = try await TaskFixture(backend)
        let agent = try await fixture.liveAgent("eu-1")
        let outcome = try await TaskSubmission(queue: fixture.repository).queueWhenRunnable(fixture.task(on: fixture.agents), on: fixture.agents,
                                                                                             regardless: false)
        guard case .queued(let submitted) = outcome else { Issue.record("a group with a live agent refused the task"); return }
        try await fixture.repository.signOff(agent.id, at: Date())
        // Had the wait not noticed, it would have ended at its deadline as still pending: the outcome says which, with no timing bound.
        let waited = try await TaskWaiter(tasks: fixture.repository, polling: .milliseconds(50)).wait(for: submitted, until: .now + .seconds(600))
        guard case .noAgentLeft(let task, let availability) = waited else { Issue.record("the wait went on without agents: \(waited)"); return }
        #expect(task.state == .queued && !availability.hasAvailableAgent)
    }

    @Test("a task nothing runs is answered still pending, as it stands, once the deadline is up", arguments: RepositoryBackend.allCases)
    func returnsPendingAtDeadline(_ backend: RepositoryBackend) async throws {
        let fixture = try await TaskFixture(backend)
        let submitted = try await TaskSubmission(queue: fixture.repository).queue(fixture.task(on: fixture.serverless), on: fixture.serverless)
        let started = ContinuousClock.now
        let waited = try await TaskWaiter(tasks: fixture.repository, finishes: TaskFinishSignal(), polling: .milliseconds(50))
            .wait(for: submitted, until: .now + .milliseconds(300))
        guard case .stillPending(let task) = waited else { Issue.record("expected still pending, got \(waited)"); return }
        #expect(task.state == .queued && ContinuousClock.now - started >= .milliseconds(300))
    }
}
