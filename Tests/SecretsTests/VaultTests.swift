import AsyncHTTPClient
import Foundation
import Hummingbird
import HTTPTypes
import QlikConnections
import Synchronization
import Testing
import TestRepositories
@testable import Secrets

@Suite("Secret references resolved from HashiCorp Vault (KV v2, AppRole)")
struct VaultTests {
    @Test("an AppRole the organization keeps: its cached secrets answer only the whole credential, and its token goes only to the address that issued it")
    func keptAppRole() async throws {
        let vault = FakeVault(lease: 60)
        vault.put("secret/qlik/prod", ["token": "planted-qlik-token"])
        try await vault.withRunning { address in
            try await FakeVault(lease: 60).withRunning { elsewhere in
                let client = HTTPClient(eventLoopGroupProvider: .singleton)
                do {
                    let resolver = SecretReferenceResolver(client: client, timeToLive: 300, credentials: { nil }, appRole: { nil })
                    let reference = try SecretReference("secret/data/qlik/prod:token", for: .hashiCorpVault, field: .accessToken)
                    let right = SecretReferenceResolver.Manager(vaultAddress: address, credentials: .init(vaultRoleID: vault.roleID, secretID: vault.secretID), allowedHosts: ["127.0.0.1:*"])
                    #expect(try await resolver.resolve(reference, in: right).reveal() == "planted-qlik-token")
                    // The same role id with a guessed secret id: not served from the cache, refused by Vault.
                    let guessed = SecretReferenceResolver.Manager(vaultAddress: address, credentials: .init(vaultRoleID: vault.roleID, secretID: "guessed"), allowedHosts: ["127.0.0.1:*"])
                    await #expect(throws: SecretResolutionError.self) { _ = try await resolver.resolve(reference, in: guessed) }
                    // Another address gets a login of its own, never the first one's token.
                    let moved = SecretReferenceResolver.Manager(vaultAddress: elsewhere, credentials: .init(vaultRoleID: vault.roleID, secretID: vault.secretID), allowedHosts: ["127.0.0.1:*"])
                    await #expect(throws: SecretResolutionError.self) { _ = try await resolver.resolve(reference, in: moved) }
                    #expect(vault.state.withLock { $0.tokens.count } == 1, "one login at the first address")
                    let none = SecretReferenceResolver.Manager(vaultAddress: address, allowedHosts: ["127.0.0.1:*"])
                    let refused = await #expect(throws: SecretResolutionError.self) { _ = try await resolver.resolve(reference, in: none) }
                    #expect(refused?.description.contains("No Vault AppRole") == true)
                } catch {
                    try await client.shutdown()
                    throw error
                }
                try await client.shutdown()
            }
        }
    }

    @Test("a Vault address on loopback over http, or link-local or metadata, is refused before anything is sent: the AppRole's secret id never leaves")
    func refusedAddresses() async throws {
        let vault = FakeVault(lease: 60)
        vault.put("secret/qlik/prod", ["token": "planted-qlik-token"])
        try await vault.withRunning { address in
            let client = SecretReferenceResolver.makeHTTPClient()
            do {
                let resolver = SecretReferenceResolver(client: client, timeToLive: 300, credentials: { nil }, appRole: { nil })
                let reference = try SecretReference("secret/data/qlik/prod:token", for: .hashiCorpVault, field: .accessToken)
                let role = SecretReferenceResolver.Credentials(vaultRoleID: vault.roleID, secretID: vault.secretID)
                let cases: [(SecretReferenceResolver.Manager, String)] = [
                    (.init(vaultAddress: address, credentials: role), "uses http://"),
                    (.init(vaultAddress: address.replacingOccurrences(of: "http://", with: "https://"), credentials: role), "loopback"),
                    (.init(vaultAddress: "http://169.254.169.254", credentials: role, allowedHosts: ["127.0.0.1:*"]), "link-local"),
                    (.init(vaultAddress: "https://[fd00:ec2::254]", credentials: role, allowedHosts: ["127.0.0.1:*"]), "metadata"),
                    (.init(vaultAddress: "https://metadata.google.internal", credentials: role, allowedHosts: ["127.0.0.1:*"]), "metadata"),
                ]
                for (manager, expected) in cases {
                    let refused = await #expect(throws: SecretResolutionError.self, "\(manager)") { _ = try await resolver.resolve(reference, in: manager) }
                    #expect(refused?.description.contains(expected) == true && refused?.description.contains("Nothing was sent") == true
                        && refused?.description.contains(vault.secretID) == false, "\(refused?.description ?? "")")
                }
                #expect(vault.state.withLock { $0.tokens.isEmpty }, "no login reached the Vault on loopback")
                // Listed by the operator, the same address works.
                let listed = SecretReferenceResolver.Manager(vaultAddress: address, credentials: role, allowedHosts: ["127.0.0.1:*"])
                #expect(try await resolver.resolve(reference, in: listed).reveal() == "planted-qlik-token")
            } catch {
                try await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }

    @Test("concurrent reads on a Vault session share one AppRole login")
    func concurrentReadsLogInOnce() async throws {
        let vault = FakeVault(lease: 60)
        vault.put("secret/qlik/prod", ["token": "planted-qlik-token"])
        try await vault.withRunning { address in
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let role = VaultAppRole(roleID: vault.roleID, secretID: vault.secretID)
                let session = VaultSession(client: client, appRole: { role }, clock: { vault.clock.now })
                let values = try await withThrowingTaskGroup(of: String?.self) { group in
                    // As many readers as the HTTP client keeps connections to one host (8): more would queue for a connection, and on a
                    // busy machine a queued one can outwait the client's 10 s pool timeout, which is not what this test is about.
                    for _ in 0..<8 { group.addTask { try await session.read(address: address, mount: "secret", path: "qlik/prod")["token"] } }
                    return try await group.reduce(into: Set<String?>()) { $0.insert($1) }
                }
                #expect(values == ["planted-qlik-token"])
                #expect(await session.logins == 1 && vault.state.withLock { $0.tokens.count } == 1)
            } catch {
                try await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }

    @Test("AppRole login, KV v2 reads, a token renewed in the last third of its lease, a new login after revocation; errors name the reference, never a secret")
    func resolves() async throws {
        let clock = TestClock()
        let vault = FakeVault(lease: 60, clock: clock)
        vault.put("secret/qlik/prod", ["token": "planted-qlik-token", "other": "x"])
        try await vault.withRunning { address in
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let role = VaultAppRole(roleID: vault.roleID, secretID: vault.secretID)
                // No caching here: every resolution goes to Vault, so the token's life is what is exercised.
                let resolver = SecretReferenceResolver(client: client, timeToLive: 0, appRole: { role }, clock: { clock.now })
                let manager = SecretReferenceResolver.Manager(vaultAddress: address, allowedHosts: ["127.0.0.1:*"])
                let reference = try SecretReference("secret/data/qlik/prod:token", for: .hashiCorpVault, field: .accessToken)
                #expect(try await resolver.resolve(reference, in: manager).reveal() == "planted-qlik-token")
                clock.advance(45)
                #expect(try await resolver.resolve(reference, in: manager).reveal() == "planted-qlik-token")
                // The renewal runs beside the read, which went on with the still valid token.
                try await resolver.environmentSession(at: address).latestTokenRefresh()
                #expect(await resolver.environmentSession(at: address).renewals == 1 && vault.state.withLock { $0.renewals } == 1, "renewed past two thirds of its lease")
                vault.revokeAll()
                #expect(try await resolver.resolve(reference, in: manager).reveal() == "planted-qlik-token")
                #expect(await resolver.environmentSession(at: address).logins == 2, "a refused token leads to one new login")
                for (raw, expected) in [("secret/data/qlik/prod:missing", "has no text key 'missing'"), ("secret/data/qlik/absent:token", "has no secret")] {
                    do {
                        _ = try await resolver.resolve(try SecretReference(raw, for: .hashiCorpVault, field: .accessToken), in: manager)
                        Issue.record("\(raw) resolved")
                    } catch {
                        #expect("\(error)".contains(expected) && !"\(error)".contains("planted-qlik-token"), "\(error)")
                    }
                }
                let wrong = SecretReferenceResolver(client: client, timeToLive: 0, appRole: { VaultAppRole(roleID: "role-1", secretID: "wrong-planted") },
                                                    clock: { clock.now })
                do {
                    _ = try await wrong.resolve(reference, in: manager)
                    Issue.record("a wrong secret id logged in")
                } catch {
                    #expect("\(error)".contains("refused the AppRole login of role role-1") && !"\(error)".contains("wrong-planted"), "\(error)")
                }
                #expect(!"\(role)".contains(vault.secretID) && !"\(Mirror(reflecting: role).children.map(\.value))".contains(vault.secretID))
                try await client.shutdown()
            } catch {
                try await client.shutdown()
                throw error
            }
        }
    }
}
