import Foundation
import QlikConnections
import Testing
@testable import Repository
import TestRepositories

@Suite("A create with an Idempotency-Key: the connection and the answer kept for its key are one transaction, on SQLite and PostgreSQL")
struct IdempotentCreateTests {
    struct Injected: Error {}

    static let claim = IdempotencyClaim(key: "create-sales-eu", requestHash: Data([7, 7, 7]))

    @Test("a failure after the connection is inserted (while its answer is made) leaves neither the connection nor a kept answer",
          arguments: RepositoryBackend.allCases)
    func failureLeavesNeither(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let connection = try await fixture.connection("Sales EU")
        await #expect(throws: Injected.self) {
            try await fixture.repository.createConnection(in: fixture.organization.id, by: fixture.actor, once: Self.claim,
                                                          building: { _, _ in connection }, answering: { _, _ in throw Injected() })
        }
        #expect(try await fixture.repository.connections(of: fixture.organization.id, matching: ConnectionFilter()).isEmpty)
        #expect(try await fixture.repository.idempotentResponse(key: Self.claim.key, in: fixture.organization.id) == nil)
        // Nothing half-done stands in the way of the retry: it creates, and keeps its answer.
        let retried = try await fixture.repository.createConnection(in: fixture.organization.id, by: fixture.actor, once: Self.claim,
                                                                    building: { _, _ in connection }, answering: { _, _ in (201, Data("first".utf8)) })
        guard case .created(let created, let answer) = retried else { Issue.record("the retry was not a create: \(retried)"); return }
        #expect(created == connection && answer == IdempotentResponse(requestHash: Self.claim.requestHash, status: 201, body: Data("first".utf8)))
        #expect(try await fixture.repository.idempotentResponse(key: Self.claim.key, in: fixture.organization.id) == answer)
    }

    @Test("a failure storing the connection (its name is taken) keeps no answer for the key", arguments: RepositoryBackend.allCases)
    func refusedCreateKeepsNoAnswer(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        try await fixture.repository.createConnection(try await fixture.connection("Sales EU"), by: fixture.actor)
        let taken = try await fixture.connection("SALES eu")
        await #expect(throws: RepositoryError.duplicateName(kind: "connection", name: "Sales EU")) {
            try await fixture.repository.createConnection(in: fixture.organization.id, by: fixture.actor, once: Self.claim,
                                                          building: { _, _ in taken }, answering: { _, _ in (201, Data()) })
        }
        #expect(try await fixture.repository.idempotentResponse(key: Self.claim.key, in: fixture.organization.id) == nil)
    }

    @Test("20 concurrent creates with one key, from separate repository handles: one creates, every other answers its kept answer, never a duplicate name",
          arguments: RepositoryBackend.allCases)
    func concurrentRetries(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let connection = try await fixture.connection("Sales EU")
        let outcomes = try await withThrowingTaskGroup(of: IdempotentCreation.self) { group in
            for attempt in 0..<20 {
                group.addTask {
                    // Each its own pool, as replicas are: the database, not one process, must keep them apart.
                    let repository = try await fixture.store.reopen()
                    return try await repository.createConnection(in: fixture.organization.id, by: fixture.actor, once: Self.claim,
                                                                 building: { _, _ in connection },
                                                                 answering: { _, _ in (201, Data("created by attempt \(attempt)".utf8)) })
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let answers = outcomes.map { outcome in
            switch outcome {
            case .created(_, let answer): answer
            case .replayed(let answer): answer
            }
        }
        #expect(outcomes.filter { if case .created = $0 { true } else { false } }.count == 1)
        #expect(Set(answers.map(\.body)).count == 1, "every attempt answers the first answer")
        let stored = try await fixture.repository.connections(of: fixture.organization.id, matching: ConnectionFilter())
        #expect(stored.count == 1)
    }
}
