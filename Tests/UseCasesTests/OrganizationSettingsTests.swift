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

/// The platform's rule: credentials kept on local Secure Agents and a secrets manager exclude each other, whichever is set first.
@Suite("Organization settings: a secrets manager and credential storage local-agent exclude each other")
struct StorageAndManagerRuleTests {
    static func aws() throws -> OrganizationChange {
        OrganizationChange(secretsManager: .some(try SecretsManagerSettings.aws(region: "eu-west-1", endpoint: nil)))
    }

    @Test("a secrets manager for a local-agent organization is refused naming the credential storage; nothing is written", arguments: RepositoryBackend.allCases)
    func managerRefusedForLocalAgent(_ backend: RepositoryBackend) async throws {
        let store = try await TestRepository.make(backend)
        let organization = Organization(name: try OrganizationName("Acme"), credentialStorage: .localAgent)
        try await store.repository.createOrganization(organization, by: AuditActor("test"))
        let settings = OrganizationSettings(repository: store.repository, keys: SealingKeys(nil))
        let error = await #expect(throws: UseCaseError.self) { _ = try await settings.change(organization, try Self.aws(), by: AuditActor("test")) }
        #expect(error?.field == "secretsManager" && error?.message.contains("credential storage is local-agent") == true, "\(String(describing: error))")
        #expect(try await store.repository.organization(organization.id).secretsManager == nil)
    }

    @Test("local-agent for an organization with a secrets manager is refused naming the manager, alone or in one change with it",
          arguments: RepositoryBackend.allCases)
    func localAgentRefusedWithManager(_ backend: RepositoryBackend) async throws {
        let store = try await TestRepository.make(backend)
        let organization = Organization(name: try OrganizationName("Acme"))
        try await store.repository.createOrganization(organization, by: AuditActor("test"))
        let settings = OrganizationSettings(repository: store.repository, keys: SealingKeys(nil))
        let managed = try await settings.change(organization, try Self.aws(), by: AuditActor("test")).organization
        let error = await #expect(throws: UseCaseError.self) {
            _ = try await settings.change(managed, OrganizationChange(credentialStorage: .localAgent), by: AuditActor("test"))
        }
        #expect(error?.field == "credentialStorage" && error?.message.contains("AWS Secrets Manager") == true, "\(String(describing: error))")
        var both = try Self.aws()
        both.credentialStorage = .localAgent
        await #expect(throws: UseCaseError.self) { _ = try await settings.change(organization, both, by: AuditActor("test")) }
        #expect(try await store.repository.organization(organization.id).credentialStorage == .repository)
        // Removing the manager and choosing local-agent in one change is allowed: the result keeps the rule.
        let moved = try await settings.change(managed, OrganizationChange(credentialStorage: .localAgent, secretsManager: .some(nil)), by: AuditActor("test"))
        #expect(moved.organization.credentialStorage == .localAgent && moved.organization.secretsManager == nil)
    }
}
