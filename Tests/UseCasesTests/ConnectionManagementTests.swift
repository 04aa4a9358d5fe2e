import Foundation
import QlikConnections
import Repository
import Secrets
import Synchronization
import Testing
import TestRepositories
import UseCases

@Suite("ConnectionManagement: create, update and sealing, the one way every entry point does them")
struct ConnectionManagementTests {
    @Test("create validates against the organization as its write transaction reads it: another handle moving the credentials to the agents after the create's last read outside it gets a token value refused, and nothing stored",
          arguments: RepositoryBackend.allCases)
    func createValidatesAgainstCommittedOrganization(_ backend: RepositoryBackend) async throws {
        let fixture = try await ConnectionFixture(backend)
        let other = try await fixture.base.store.reopen()
        var organization = fixture.organization
        organization.credentialStorage = .localAgent
        let (moved, actor) = (organization, fixture.actor)
        let records = InterleavedRecords(fixture.repository) { try await other.updateOrganization(moved, by: actor) }

        let error = await #expect(throws: ConnectionValidationError.self) {
            try await ConnectionManagement(repository: records, keys: fixture.keys)
                .create(try ConnectionFixture.draft("Sales"), in: fixture.organization.id, by: fixture.actor)
        }
        #expect(error?.problems.map(\.field) == [.accessToken], "\(String(describing: error))")
        #expect(try await fixture.repository.connections(of: fixture.organization.id, matching: ConnectionFilter()).isEmpty)
    }

    @Test("an idempotent create run twice with one claim stores one connection and answers the first answer again", arguments: RepositoryBackend.allCases)
    func createIdempotentReplays(_ backend: RepositoryBackend) async throws {
        let fixture = try await ConnectionFixture(backend)
        let claim = IdempotencyClaim(key: "retry-1", requestHash: Data("body".utf8))
        let answer: @Sendable (StoredConnection, [RuntimeEnvironment]) throws -> (status: Int, body: Data) = { connection, _ in
            (201, Data(connection.name.value.utf8))
        }
        let draft = try ConnectionFixture.draft("Sales")
        let first = try await fixture.management.create(draft, in: fixture.organization.id, by: fixture.actor, once: claim, answering: answer)
        let second = try await fixture.management.create(draft, in: fixture.organization.id, by: fixture.actor, once: claim, answering: answer)

        guard case .created(_, let created) = first, case .replayed(let replayed) = second else {
            Issue.record("expected created then replayed, got \(first) then \(second)")
            return
        }
        #expect(replayed == created && replayed.body == Data("Sales".utf8))
        #expect(try await fixture.repository.connections(of: fixture.organization.id, matching: ConnectionFilter()).count == 1)
    }

    @Test("an update that gives no token keeps the stored one, sealed as it was", arguments: RepositoryBackend.allCases)
    func updateKeepsSecretsNotGiven(_ backend: RepositoryBackend) async throws {
        let fixture = try await ConnectionFixture(backend)
        _ = try await fixture.management.create(try ConnectionFixture.draft("Sales"), in: fixture.organization.id, by: fixture.actor)
        let before = try await fixture.storedToken(of: "Sales")

        let (updated, _) = try await fixture.management.update(named: "sales", with: ConnectionDraft(description: "EU sales"),
                                                               in: fixture.organization.id, by: fixture.actor)

        #expect(updated.description?.value == "EU sales")
        let after = try await fixture.storedToken(of: "Sales")
        #expect(before != nil && after == before)
    }

    @Test("a key rotated by another handle between the keys' read and the write: the create runs once more with the keys read again, sealed under the new key",
          arguments: RepositoryBackend.allCases)
    func rotationElsewhereIsRetried(_ backend: RepositoryBackend) async throws {
        let fixture = try await ConnectionFixture(backend)
        let rotated = MasterKey.generate()
        _ = try await fixture.base.store.reopen().rotateMasterKey(to: rotated.id, by: fixture.actor) { _, sealed in sealed }
        let reloads = Mutex(0)
        let live = LiveKeyring(Keyring(active: fixture.key)) { held in
            reloads.withLock { $0 += 1 }
            return Keyring(active: rotated).keeping(held)
        }

        _ = try await ConnectionManagement(repository: fixture.repository, keys: SealingKeys(live))
            .create(try ConnectionFixture.draft("Sales"), in: fixture.organization.id, by: fixture.actor)

        #expect(reloads.withLock { $0 } == 1)
        #expect(try await fixture.storedToken(of: "Sales")?.keyID == rotated.id)
    }

    @Test("needsKeys: a token value needs keys, a change that gives none does not, and a refused definition throws before any key is loaded",
          arguments: [RepositoryBackend.sqlite])
    func needsKeysOnlyForValues(_ backend: RepositoryBackend) async throws {
        let fixture = try await ConnectionFixture(backend)
        let management = ConnectionManagement(repository: fixture.repository, keys: SealingKeys(nil))
        #expect(try await management.needsKeys(creating: try ConnectionFixture.draft("Sales"), in: fixture.organization.id))
        _ = try await fixture.management.create(try ConnectionFixture.draft("Sales"), in: fixture.organization.id, by: fixture.actor)
        #expect(try await !management.needsKeys(updating: "Sales", with: ConnectionDraft(description: "EU sales"), in: fixture.organization.id))
        await #expect(throws: ConnectionValidationError.self) {
            try await management.needsKeys(creating: try ConnectionFixture.draft("Sales", on: "Nowhere"), in: fixture.organization.id)
        }
    }

    @Test("with no master key loaded, a create that brings a token is refused as no_master_key", arguments: [RepositoryBackend.sqlite])
    func noKeyRefusesNewValues(_ backend: RepositoryBackend) async throws {
        let fixture = try await ConnectionFixture(backend)
        await #expect(throws: SealingKeys.noKeyring) {
            try await ConnectionManagement(repository: fixture.repository, keys: SealingKeys(nil))
                .create(try ConnectionFixture.draft("Sales"), in: fixture.organization.id, by: fixture.actor)
        }
    }
}
