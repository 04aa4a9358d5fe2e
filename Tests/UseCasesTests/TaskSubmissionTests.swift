import Foundation
import QlikConnections
import Repository
import Testing
import TestRepositories
import UseCases

@Suite("Queuing a task: no agent available is an outcome, refused or said, never an error")
struct TaskSubmissionTests {
    @Test("on a group with no agent available, a submission that respects agents queues nothing and says why", arguments: RepositoryBackend.allCases)
    func refusedWithNoAgent(_ backend: RepositoryBackend) async throws {
        let fixture = try await TaskFixture(backend)
        let outcome = try await TaskSubmission(queue: fixture.repository).queueWhenRunnable(fixture.task(on: fixture.agents), on: fixture.agents,
                                                                                             regardless: false)
        guard case .refused(let availability) = outcome else { Issue.record("a group without agents took the task"); return }
        #expect(availability.explanation.contains("'EU Agents' has no agent"))
        #expect(try await fixture.repository.tasks(of: fixture.organization.id, limit: 10).isEmpty)
    }

    @Test("asked to wait regardless, the task is queued on a group with no agent", arguments: RepositoryBackend.allCases)
    func queuedRegardless(_ backend: RepositoryBackend) async throws {
        let fixture = try await TaskFixture(backend)
        let outcome = try await TaskSubmission(queue: fixture.repository).queueWhenRunnable(fixture.task(on: fixture.agents), on: fixture.agents,
                                                                                             regardless: true)
        guard case .queued(let submitted) = outcome else { Issue.record("the task was refused though waiting regardless was asked"); return }
        #expect(try await fixture.repository.tasks(of: fixture.organization.id, limit: 10).map(\.id) == [submitted.record.id])
    }

    @Test("queued anyway, the task is kept and the answer says no agent of its group is available", arguments: RepositoryBackend.allCases)
    func queuedAnywaySaysNoAgent(_ backend: RepositoryBackend) async throws {
        let fixture = try await TaskFixture(backend)
        let submitted = try await TaskSubmission(queue: fixture.repository).queue(fixture.task(on: fixture.agents), on: fixture.agents)
        #expect(submitted.noAgentAvailable?.hasAvailableAgent == false)
        #expect(try await fixture.repository.task(submitted.record.id, in: fixture.organization.id).state == .queued)
    }
}
