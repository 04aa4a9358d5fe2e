import Connector
import Foundation
import QlikConnections
import Repository
import Runtime
import Synchronization
import Testing
import TestRepositories
import UseCases

@Suite("ConnectionTesting: Test Connection queued, waited for, its report kept")
struct ConnectionTestingTests {
    /// A passing report as a worker stores it (dates in milliseconds).
    static let passingReport = Data("""
        {"startedAt": 1700000000000, "baseURL": "https://acme.eu.qlikcloud.com", "authentication": "api-key", "milliseconds": 3,
         "steps": [{"name": "Base URL", "verdict": "passed", "milliseconds": 1, "detail": "https, a Qlik Cloud host"}]}
        """.utf8)

    /// The verdicts onTested heard, in order.
    final class Verdicts: Sendable {
        private let heard = Mutex<[Bool]>([])
        var all: [Bool] { heard.withLock { $0 } }
        func append(_ succeeded: Bool) { heard.withLock { $0.append(succeeded) } }
    }

    static func testing(_ fixture: ConnectionFixture, verdicts: Verdicts) -> ConnectionTesting {
        ConnectionTesting(repository: fixture.repository, keys: fixture.keys, encode: { report in try JSONEncoder().encode(report) },
                          onTested: { succeeded in verdicts.append(succeeded) })
    }

    @Test("a test the serverless worker finishes answers its report, kept as the connection's last test and heard by onTested",
          .timeLimit(.minutes(10)), arguments: RepositoryBackend.allCases)
    func recordsTheTest(_ backend: RepositoryBackend) async throws {
        let fixture = try await ConnectionFixture(backend)
        _ = try await fixture.management.create(try ConnectionFixture.draft("Sales"), in: fixture.organization.id, by: fixture.actor)
        let verdicts = Verdicts()
        let repository = fixture.repository
        let serverless = fixture.base.serverless.id
        // Plays the serverless pool: takes the queued test and finishes it with a report.
        async let worked: Void = {
            while true {
                if let claimed = try await repository.claim(in: [serverless], owner: "test-worker", lease: 600, now: Date()), let lease = claimed.lease {
                    _ = try await repository.finish(lease, owner: "test-worker", succeeded: true, result: Self.passingReport, error: nil, at: Date())
                    return
                }
                try await Task.sleep(for: .milliseconds(10))
            }
        }()

        let outcome = try await Self.testing(fixture, verdicts: verdicts)
            .test(named: "Sales", in: fixture.organization.id, by: fixture.actor, waiter: TaskWaiter(tasks: repository, polling: .milliseconds(20)),
                  upTo: .seconds(600))
        try await worked

        guard case .report(let report, let encoded) = outcome else { Issue.record("expected a report, got \(outcome)"); return }
        let connection = try await repository.connection(named: "Sales", in: fixture.organization.id)
        let kept = try await repository.lastTest(of: connection.id)
        #expect(report.succeeded && kept?.succeeded == true && kept?.summary == report.summary && kept?.report == encoded)
        #expect(verdicts.all == [true])
    }

    @Test("on a Secure Agent group with no agent the test answers pending at once, the task queued and the group's agents said",
          arguments: RepositoryBackend.allCases)
    func pendingWhenNoAgent(_ backend: RepositoryBackend) async throws {
        let fixture = try await ConnectionFixture(backend)
        _ = try await fixture.management.create(try ConnectionFixture.draft("Sales", on: "EU Agents"), in: fixture.organization.id, by: fixture.actor)
        let verdicts = Verdicts()

        let outcome = try await Self.testing(fixture, verdicts: verdicts)
            .test(named: "Sales", in: fixture.organization.id, by: fixture.actor,
                  waiter: TaskWaiter(tasks: fixture.repository, polling: .milliseconds(20)), upTo: .seconds(600))

        guard case .pending(let task, _, let availability) = outcome else { Issue.record("expected pending, got \(outcome)"); return }
        #expect(availability?.hasAvailableAgent == false)
        #expect(try await fixture.repository.task(task.id, in: fixture.organization.id).state == .queued)
        #expect(verdicts.all.isEmpty)
    }

    @Test("a serverless connection with a sealed token is refused as no_master_key before anything is queued when no key is loaded",
          arguments: [RepositoryBackend.sqlite])
    func serverlessNeedsKeys(_ backend: RepositoryBackend) async throws {
        let fixture = try await ConnectionFixture(backend)
        _ = try await fixture.management.create(try ConnectionFixture.draft("Sales"), in: fixture.organization.id, by: fixture.actor)
        let testing = ConnectionTesting(repository: fixture.repository, keys: SealingKeys(nil), encode: { report in try JSONEncoder().encode(report) })

        await #expect(throws: SealingKeys.noKeyring) {
            try await testing.test(named: "Sales", in: fixture.organization.id, by: fixture.actor,
                                   waiter: TaskWaiter(tasks: fixture.repository, polling: .milliseconds(20)), upTo: .seconds(600))
        }
        #expect(try await fixture.repository.tasks(of: fixture.organization.id, limit: 10).isEmpty)
    }

    @Test("a finished test task without a result is refused as task_failed, with the task's own reason", arguments: [RepositoryBackend.sqlite])
    func noResultIsTaskFailed(_ backend: RepositoryBackend) async throws {
        let fixture = try await ConnectionFixture(backend)
        let (connection, _) = try await fixture.management.create(try ConnectionFixture.draft("Sales"), in: fixture.organization.id, by: fixture.actor)
        var task = TaskRecord(organizationID: fixture.organization.id, runtimeEnvironmentID: fixture.base.serverless.id, connectionID: connection.id,
                              connectionName: "Sales", kind: .test, requestedBy: fixture.actor.name)
        task.state = .failed
        task.error = "the tenant did not answer"

        let error = await #expect(throws: UseCaseError.self) {
            try await Self.testing(fixture, verdicts: Verdicts()).record(task, of: connection, by: fixture.actor)
        }
        #expect(error?.reason == "task_failed" && error?.kind == .conflict
            && error?.message == "Test Connection could not run on its runtime environment: the tenant did not answer.")
    }
}
