import Foundation
import QlikConnections
@testable import Repository
import TestRepositories

import Testing

@Suite("The operator's tenant host allow-list, and secrets manager credentials that do not follow a moved address, on both databases")
struct TenantHostStoreTests {
    @Test("entries are kept in the order added, once each, removed by their normalised form, and every change is in the service-wide audit trail",
          arguments: RepositoryBackend.allCases)
    func allowList(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let repository = fixture.repository
        #expect(try await repository.tenantHostPatterns().isEmpty)
        #expect(try await repository.allowTenantHost(try HostPattern("2130706433:*"), by: fixture.actor))
        #expect(try await repository.allowTenantHost(try HostPattern("*.test.internal"), by: fixture.actor))
        #expect(try await !repository.allowTenantHost(try HostPattern("127.0.0.1:*"), by: fixture.actor), "the same entry spelled otherwise")
        #expect(try await repository.tenantHostPatterns().map(\.description) == ["127.0.0.1:*", "*.test.internal:*"])
        #expect(try await repository.tenantHostPolicy().pattern(admitting: "127.0.0.1", port: 9) != nil)
        #expect(try await repository.removeTenantHost(try HostPattern("0x7f.1"), by: fixture.actor))
        #expect(try await !repository.removeTenantHost(try HostPattern("127.0.0.1:*"), by: fixture.actor))
        #expect(try await repository.tenantHostPolicy().pattern(admitting: "127.0.0.1", port: 9) == nil)
        let events = try await repository.auditEvents(of: nil, limit: 10)
        #expect(events.filter { $0.action == "tenant-hosts.allow" }.count == 2 && events.contains { $0.action == "tenant-hosts.remove" && $0.targetName == "127.0.0.1:*" })
        #expect(events.filter { $0.action.hasPrefix("tenant-hosts.") }.allSatisfy { $0.organizationID == nil && $0.actor == "test" })
        // Seen from an organization's trail too: it is what governs its connections.
        #expect(try await repository.auditEvents(of: fixture.organization.id, limit: 10).contains { $0.action == "tenant-hosts.remove" })
    }

    @Test("the attack: an entry stored that no longer parses (a looser version kept it, or it was written by hand) does not stop the list: the other entries are read and admit their hosts", arguments: RepositoryBackend.allCases)
    func unreadableEntryIsSkipped(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let repository = fixture.repository
        #expect(try await repository.allowTenantHost(try HostPattern("127.0.0.1:*"), by: fixture.actor))
        try await fixture.store.execute(["INSERT INTO tenant_hosts (pattern, added_at, added_by) VALUES ('https://old.example.com/tenant', 0, 'hand')"])
        #expect(try await repository.allowTenantHost(try HostPattern("*.test.internal"), by: fixture.actor))
        #expect(try await repository.tenantHostPatterns().map(\.description) == ["127.0.0.1:*", "*.test.internal:*"])
        #expect(try await repository.tenantHostPolicy().pattern(admitting: "127.0.0.1", port: 9) != nil)
    }

    @Test("an entry that does not parse is listed as refused with why, skipped when the list is read, and removed by its text as stored", arguments: RepositoryBackend.allCases)
    func unreadableEntryIsReportedAndRemoved(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let repository = fixture.repository
        let bad = "https://old.example.com/tenant"
        try await fixture.store.execute(["INSERT INTO tenant_hosts (pattern, added_at, added_by) VALUES ('\(bad)', 0, 'hand')"])
        #expect(try await repository.allowTenantHost(try HostPattern("127.0.0.1:*"), by: fixture.actor))
        let entries = try await repository.tenantHostEntries()
        #expect(entries.map(\.text) == [bad, "127.0.0.1:*"])
        guard case .refused(_, let reason)? = entries.first else { Issue.record("not refused: \(entries)"); return }
        #expect(reason.contains("scheme"), "\(reason)")
        // The warning each read logs (naming the entry and the command) is checked through the command line: RefusedHostEntryCommandTests.
        #expect(try await repository.tenantHostPatterns().map(\.description) == ["127.0.0.1:*"])
        #expect(entries.last?.removal == "qlik-connector hosts remove '127.0.0.1:*'")
        #expect(TenantHostEntry.refused(text: "it's", reason: "").removal == #"qlik-connector hosts remove 'it'\''s'"#, "quoted for a POSIX shell")
        #expect(try await repository.removeTenantHost(entry: bad, by: fixture.actor))
        #expect(try await repository.tenantHostEntries() == [.admitted(try HostPattern("127.0.0.1:*"))])
        #expect(try await repository.auditEvents(of: nil, limit: 10).contains { $0.action == "tenant-hosts.remove" && $0.targetName == bad })
    }

    @Test("a Vault address change drops the AppRole kept for the old address, and the audit trail says so; the same address keeps it; new credentials given with the move are kept",
          arguments: RepositoryBackend.allCases)
    func vaultAddressChange(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let repository = fixture.repository
        var organization = fixture.organization
        organization.secretsManager = try SecretsManagerSettings.vault(address: "https://vault.example.com:8200")
        try await repository.updateOrganization(organization, by: fixture.actor)
        let appRole: [SecretsManagerField: SealedSecret] = [.vaultRoleID: SealedSecret(keyID: "k1", combined: [1]),
                                                            .vaultSecretID: SealedSecret(keyID: "k1", combined: [2])]
        try await repository.updateOrganization(organization, managerCredentials: appRole, by: fixture.actor)
        try await repository.updateOrganization(organization, by: fixture.actor)
        #expect(try await repository.secretsManagerCredentials(of: organization.id) == appRole, "kept while the address stays")

        // The attack: point the Vault elsewhere, keeping the AppRole, and let the next task log in there.
        organization.secretsManager = try SecretsManagerSettings.vault(address: "https://vault.attacker.example:8200")
        try await repository.updateOrganization(organization, by: fixture.actor)
        #expect(try await repository.secretsManagerCredentials(of: organization.id).isEmpty)
        let dropped = try #require(try await repository.auditEvents(of: organization.id, limit: 10)
            .first { $0.action == "organization.secrets-manager-credentials.dropped" })
        #expect(dropped.targetName.contains("Vault AppRole Secret ID") && dropped.targetName.contains("https://vault.example.com:8200")
            && dropped.targetName.contains("https://vault.attacker.example:8200"), "\(dropped.targetName)")

        // Moved with new credentials in the same change: those are kept, and nothing is reported dropped.
        organization.secretsManager = try SecretsManagerSettings.vault(address: "https://vault2.example.com:8200")
        try await repository.updateOrganization(organization, managerCredentials: appRole, by: fixture.actor)
        #expect(try await repository.secretsManagerCredentials(of: organization.id) == appRole)
        #expect(try await repository.auditEvents(of: organization.id, limit: 50).filter { $0.action == "organization.secrets-manager-credentials.dropped" }.count == 1)
    }
}

