import Foundation
import QlikConnections
import Repository
import Secrets
import Testing
import TestRepositories
import UseCases

@Suite("Organization settings: one parser for the secrets manager's choice, the manager's credentials sealed (again after a rotation elsewhere)")
struct OrganizationSettingsTests {
    @Test("a field the kind does not take is refused by name, with the fields it takes")
    func strayFieldNamed() {
        #expect(throws: SecretsManagerChoice.Refusal.stray(.region, belongs: [.address, .mount])) {
            try SecretsManagerChoice(kind: "vault", region: "eu-west-1", address: "https://vault.example.com:8200").settings()
        }
        #expect(throws: SecretsManagerChoice.Refusal.stray(.address, belongs: [])) {
            try SecretsManagerChoice(kind: "none", address: "https://vault.example.com:8200").settings()
        }
    }

    @Test("a kind's missing field and an unknown kind are refused by name")
    func missingAndUnknownRefused() {
        #expect(throws: SecretsManagerChoice.Refusal.missing(.region)) { try SecretsManagerChoice(kind: "aws").settings() }
        #expect(throws: SecretsManagerChoice.Refusal.missing(.address)) { try SecretsManagerChoice(kind: "vault").settings() }
        #expect(throws: SecretsManagerChoice.Refusal.unknownKind) { try SecretsManagerChoice(kind: "AWS").settings() }
    }

    @Test("Vault's mount is 'secret' unless given")
    func vaultMountDefault() throws {
        let settings = try SecretsManagerChoice(kind: "vault", address: "https://vault.example.com:8200").settings()
        #expect(settings == (try SecretsManagerSettings.vault(address: "https://vault.example.com:8200", mount: "secret")))
    }

    @Test("credentials sealed with a key another handle rotated away are sealed again under the new key, and kept",
          arguments: RepositoryBackend.allCases)
    func sealingRetriedAfterRotation(_ backend: RepositoryBackend) async throws {
        let fixture = try await KeyFixture(backend)
        let keys = try await fixture.location.liveKeyring(agreeingWith: fixture.repository, logger: fixture.logger)
        let other = try await fixture.store.reopen()
        let rotated = try await KeyRotation.rotate(fixture.location, repository: other, newKeyFile: nil, by: fixture.actor, logger: fixture.logger)
        await other.close()
        #expect(keys.current.active.id == rotated.previousKeyID, "the keys held are still the rotated-away one before the change")

        let changed = try await fixture.keepAWSCredentials(with: keys)

        #expect(Set(changed.managerCredentials) == [.awsAccessKeyID, .awsSecretAccessKey])
        let stored = try await fixture.repository.secretsManagerCredentials(of: fixture.organization.id)
        #expect(stored.count == 2 && stored.values.allSatisfy { $0.keyID == rotated.keyID })
    }

    @Test("a change that names no credentials keeps the stored ones", arguments: RepositoryBackend.allCases)
    func emptyChangeKeepsCredentials(_ backend: RepositoryBackend) async throws {
        let fixture = try await KeyFixture(backend)
        let keys = try await fixture.location.liveKeyring(agreeingWith: fixture.repository, logger: fixture.logger)
        let kept = try await fixture.keepAWSCredentials(with: keys).organization
        let changed = try await OrganizationSettings(repository: fixture.repository, keys: SealingKeys(nil)).change(kept, OrganizationChange(), by: fixture.actor)
        #expect(Set(changed.managerCredentials) == [.awsAccessKeyID, .awsSecretAccessKey])
        #expect(changed.organization.secretsManager == kept.secretsManager)
    }

    @Test("empty credentials keep none: the environment where a task runs serves, and no key is needed", arguments: RepositoryBackend.allCases)
    func emptyCredentialsKeepNone(_ backend: RepositoryBackend) async throws {
        let fixture = try await KeyFixture(backend)
        let keys = try await fixture.location.liveKeyring(agreeingWith: fixture.repository, logger: fixture.logger)
        let kept = try await fixture.keepAWSCredentials(with: keys).organization
        let changed = try await OrganizationSettings(repository: fixture.repository, keys: SealingKeys(nil))
            .change(kept, OrganizationChange(managerCredentials: [:]), by: fixture.actor)
        #expect(changed.managerCredentials.isEmpty)
        #expect(try await fixture.repository.secretsManagerCredentials(of: fixture.organization.id).isEmpty)
    }

    @Test("credentials of another manager's kind are refused before anything is written", arguments: RepositoryBackend.allCases)
    func otherKindsCredentialsRefused(_ backend: RepositoryBackend) async throws {
        let fixture = try await KeyFixture(backend)
        let keys = try await fixture.location.liveKeyring(agreeingWith: fixture.repository, logger: fixture.logger)
        var change = try KeyFixture.awsWithCredentials()
        change.managerCredentials = [.vaultRoleID: try KeyFixture.secret("r"), .vaultSecretID: try KeyFixture.secret("s")]
        await #expect(throws: ConnectionValidationError.self) {
            try await OrganizationSettings(repository: fixture.repository, keys: SealingKeys(keys)).change(fixture.organization, change, by: fixture.actor)
        }
        #expect(try await fixture.repository.organization(fixture.organization.id).secretsManager == nil)
    }
}
