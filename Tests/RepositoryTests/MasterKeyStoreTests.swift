import Foundation
import QlikConnections
import Testing
@testable import Repository
import TestRepositories

@Suite("Master key bookkeeping and rotation")
struct MasterKeyStoreTests {
    struct Refused: Error {}

    @Test("the first key offered becomes the active one; later offers do not replace it", arguments: RepositoryBackend.allCases)
    func registration(_ backend: RepositoryBackend) async throws {
        let repository = try await TestRepository.make(backend).repository
        #expect(try await repository.activeMasterKeyID() == nil)
        #expect(try await repository.activeMasterKeyID(registeringIfNone: "aaaa") == "aaaa")
        #expect(try await repository.activeMasterKeyID(registeringIfNone: "bbbb") == "aaaa")
        #expect(try await repository.activeMasterKeyID() == "aaaa")
    }

    @Test("a credential sealed under a key that a rotation retired meanwhile is refused, for creates and updates", arguments: RepositoryBackend.allCases)
    func sealedUnderRetiredKey(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let connection = try await fixture.connection("A", token: [1])
        try await fixture.repository.createConnection(connection, by: fixture.actor)
        let prepared = try await fixture.connection("B", token: [2])
        let update = try await fixture.rules().update(connection, with: ConnectionDraft(description: "kept token"))
        _ = try await fixture.repository.rotateMasterKey(to: "k2", by: fixture.actor) { _, sealed in
            SealedSecret(keyID: "k2", combined: sealed.combined)
        }
        await #expect(throws: RepositoryError.masterKeyChangedMeanwhile(sealedWith: "k1", active: "k2")) {
            try await fixture.repository.createConnection(prepared, by: fixture.actor)
        }
        await #expect(throws: RepositoryError.masterKeyChangedMeanwhile(sealedWith: "k1", active: "k2")) {
            try await fixture.repository.updateConnection(update, replacing: connection, by: fixture.actor)
        }
        let stored = try await fixture.repository.connection(named: "A", in: fixture.organization.id)
        #expect(stored.authentication.credentials.first?.credential == .value(SealedSecret(keyID: "k2", combined: [1])))
    }

    @Test("secrets manager credentials sealed under a key that a rotation retired meanwhile are refused, and nothing of the change is written",
          arguments: RepositoryBackend.allCases)
    func managerCredentialsUnderRetiredKey(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        _ = try await fixture.repository.activeMasterKeyID(registeringIfNone: "k1")
        var organization = fixture.organization
        organization.secretsManager = try SecretsManagerSettings.aws(region: "eu-west-1", endpoint: nil)
        try await fixture.repository.updateOrganization(organization, by: fixture.actor)
        _ = try await fixture.repository.rotateMasterKey(to: "k2", by: fixture.actor) { _, sealed in SealedSecret(keyID: "k2", combined: sealed.combined) }
        let sealedBefore: [SecretsManagerField: SealedSecret] = [.awsAccessKeyID: SealedSecret(keyID: "k1", combined: [1]),
                                                                 .awsSecretAccessKey: SealedSecret(keyID: "k1", combined: [2])]
        await #expect(throws: RepositoryError.masterKeyChangedMeanwhile(sealedWith: "k1", active: "k2")) {
            try await fixture.repository.updateOrganization(organization, managerCredentials: sealedBefore, by: fixture.actor)
        }
        #expect(try await fixture.repository.secretsManagerCredentials(of: organization.id).isEmpty)
        let sealedNow = sealedBefore.mapValues { SealedSecret(keyID: "k2", combined: $0.combined) }
        try await fixture.repository.updateOrganization(organization, managerCredentials: sealedNow, by: fixture.actor)
        #expect(try await fixture.repository.secretsManagerCredentials(of: organization.id) == sealedNow)
    }

    @Test("rotation re-seals every sealed credential and switches the active key", arguments: RepositoryBackend.allCases)
    func rotates(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        _ = try await fixture.repository.activeMasterKeyID(registeringIfNone: "k1")
        try await fixture.repository.createConnection(try await fixture.connection("A", token: [1]), by: fixture.actor)
        try await fixture.repository.createConnection(try await fixture.connection("B", token: [2]), by: fixture.actor)
        let count = try await fixture.repository.rotateMasterKey(to: "k2", by: fixture.actor) { _, sealed in
            SealedSecret(keyID: "k2", combined: sealed.combined + [0xFF])
        }
        #expect(count == 2)
        #expect(try await fixture.repository.activeMasterKeyID(registeringIfNone: "zz") == "k2")
        let a = try await fixture.repository.connection(named: "A", in: fixture.organization.id)
        #expect(a.authentication.credentials.first?.credential == .value(SealedSecret(keyID: "k2", combined: [1, 0xFF])))
    }

    @Test("the secrets manager's own credentials: kept sealed with the settings, dropped when the manager moves or changes kind, re-sealed by a rotation",
          arguments: RepositoryBackend.allCases)
    func secretsManagerCredentials(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        _ = try await fixture.repository.activeMasterKeyID(registeringIfNone: "k1")
        var organization = fixture.organization
        organization.secretsManager = try SecretsManagerSettings.aws(region: "eu-west-1", endpoint: nil)
        try await fixture.repository.updateOrganization(organization, by: fixture.actor)
        let aws: [SecretsManagerField: SealedSecret] = [.awsAccessKeyID: SealedSecret(keyID: "k1", combined: [1]),
                                                        .awsSecretAccessKey: SealedSecret(keyID: "k1", combined: [2])]
        try await fixture.repository.updateOrganization(organization, managerCredentials: aws, by: fixture.actor)
        #expect(try await fixture.repository.secretsManagerCredentials(of: organization.id) == aws)
        let id = organization.id
        let count = try await fixture.repository.rotateMasterKey(to: "k2", by: fixture.actor) { slot, sealed in
            guard case .secretsManager(id, _) = slot else { throw Refused() }
            return SealedSecret(keyID: "k2", combined: sealed.combined + [0xFF])
        }
        #expect(count == 2)
        #expect(try await fixture.repository.secretsManagerCredentials(of: organization.id)[.awsSecretAccessKey] == SealedSecret(keyID: "k2", combined: [2, 0xFF]))
        let events = try await fixture.repository.auditEvents(of: organization.id, limit: 20)
        #expect(events.contains { $0.action == "organization.secrets-manager-credentials.set" && $0.targetName.contains("AWS Secret Access Key") })
        try await fixture.repository.updateOrganization(organization, by: fixture.actor)
        #expect(try await fixture.repository.secretsManagerCredentials(of: organization.id).count == 2, "kept while the manager stays where it is")
        organization.secretsManager = try SecretsManagerSettings.aws(region: "eu-west-1", endpoint: "https://secretsmanager.example.net")
        try await fixture.repository.updateOrganization(organization, by: fixture.actor)
        #expect(try await fixture.repository.secretsManagerCredentials(of: organization.id).isEmpty, "dropped when the manager moves: they were for the old endpoint")
        try await fixture.repository.updateOrganization(organization, managerCredentials: aws.mapValues { SealedSecret(keyID: "k2", combined: $0.combined) },
                                                        by: fixture.actor)
        organization.secretsManager = try SecretsManagerSettings.vault(address: "https://vault.example.com:8200")
        try await fixture.repository.updateOrganization(organization, by: fixture.actor)
        #expect(try await fixture.repository.secretsManagerCredentials(of: organization.id).isEmpty, "an AWS key is not kept for a Vault")
    }

    @Test("a rotation that fails part-way changes nothing", arguments: RepositoryBackend.allCases)
    func atomic(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        _ = try await fixture.repository.activeMasterKeyID(registeringIfNone: "k1")
        try await fixture.repository.createConnection(try await fixture.connection("A", token: [1]), by: fixture.actor)
        try await fixture.repository.createConnection(try await fixture.connection("B", token: [2]), by: fixture.actor)
        let before = try await fixture.repository.connections(of: fixture.organization.id, matching: ConnectionFilter())
        let calls = Counter()
        await #expect(throws: Refused.self) {
            _ = try await fixture.repository.rotateMasterKey(to: "k2", by: fixture.actor) { _, sealed in
                if calls.next() == 2 { throw Refused() }
                return SealedSecret(keyID: "k2", combined: sealed.combined)
            }
        }
        #expect(try await fixture.repository.connections(of: fixture.organization.id, matching: ConnectionFilter()) == before)
        #expect(try await fixture.repository.activeMasterKeyID(registeringIfNone: "zz") == "k1")
    }

    /// Counts calls made from the database's queue.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.withLock { value += 1; return value } }
    }
}

@Suite("Audit trail")
struct AuditTrailTests {
    @Test("records who changed what, never a credential's bytes", arguments: RepositoryBackend.allCases)
    func records(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let marker: [UInt8] = Array("SEALED-MARKER-4242".utf8)
        let connection = try await fixture.connection("Sales EU", token: marker)
        try await fixture.repository.createConnection(connection, by: fixture.actor)
        let updated = try await fixture.rules().update(connection, with: ConnectionDraft(
            description: "now described", accessToken: .value(SealedSecret(keyID: "k1", combined: marker + [1]))))
        try await fixture.repository.updateConnection(updated, replacing: connection, by: fixture.actor)
        _ = try await fixture.repository.deleteConnection(named: "Sales EU", in: fixture.organization.id, by: fixture.actor)
        let events = try await fixture.repository.auditEvents(of: fixture.organization.id, limit: 10)
        #expect(events.map(\.action) == ["connection.delete", "connection.update", "connection.create", "organization.create"])
        #expect(events.allSatisfy { $0.actor == "test" })
        let update = try #require(events.first { $0.action == "connection.update" })
        #expect(update.changes.map(\.field) == ["description", "accessToken"])
        let rows = try await fixture.store.texts("changes || target_name || actor", from: "audit_events")
        #expect(!rows.joined().contains("SEALED-MARKER"))
    }

    @Test("opening a repository twice runs its migrations once", arguments: RepositoryBackend.allCases)
    func migrationsIdempotent(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let again = try await fixture.store.reopen()
        #expect(try await again.organizations().map(\.name.value) == ["Acme"])
    }
}
