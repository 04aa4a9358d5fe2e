import Foundation
import QlikCloudAPI
import QlikConnections
import Testing
@testable import QlikCloudSandbox

@Suite("OAuth tokens: cached, refreshed before expiry, single-flight")
struct TokenProviderTests {
    @Test("1,000 concurrent requests on a cold OAuth client cause exactly one token exchange")
    func singleFlight() async throws {
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(tier1PerMinute: .max, tier2PerMinute: .max))
        let before = await sandbox.tenant.snapshot().tokens.count
        let failures = try await withLiveSandbox(sandbox) { credentials in
            let client = try credentials.client(oauth: true, settings: directSettings)
            let failures = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<1000 {
                    group.addTask {
                        do { _ = try await client.me(); return 0 } catch { return 1 }
                    }
                }
                return await group.reduce(0, +)
            }
            await client.shutdown()
            return failures
        }
        #expect(failures == 0)
        #expect(await sandbox.tenant.snapshot().tokens.count - before == 1)
    }

    @Test("a token is refreshed shortly before it expires, so a run longer than its lifetime has no failed request")
    func refreshBeforeExpiry() async throws {
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(accessTokenLifetime: .seconds(1), tier1PerMinute: .max, tier2PerMinute: .max))
        let failures = try await withLiveSandbox(sandbox) { credentials in
            let client = try credentials.client(oauth: true, retry: .none, settings: directSettings)
            var failures = 0
            let end = ContinuousClock.now + .milliseconds(2500)
            while ContinuousClock.now < end {
                do { _ = try await client.me() } catch { failures += 1 }
                try await Task.sleep(for: .milliseconds(20))
            }
            await client.shutdown()
            return failures
        }
        #expect(failures == 0)
        // At least one refresh happened (how many depends on how busy the machine is), and none too early: a token lives 0.9 s at least.
        let issued = await sandbox.tenant.snapshot().tokens.count
        #expect((2...4).contains(issued), "\(issued) tokens")
    }

    @Test("a token the tenant stops accepting early (401) is replaced once and the request retried, without a failure")
    func earlyExpiry() async throws {
        // Long enough that a loaded machine still gets the retried request in while the new token works.
        let faults = SandboxFaults(tokenValidity: .milliseconds(800))
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(tier1PerMinute: .max, tier2PerMinute: .max, faults: faults))
        let failures = try await withLiveSandbox(sandbox) { credentials in
            let client = try credentials.client(oauth: true, retry: .none, settings: directSettings)
            var failures = 0
            for _ in 0..<3 {
                do { _ = try await client.me() } catch { failures += 1 }
                try await Task.sleep(for: .milliseconds(900))
            }
            await client.shutdown()
            return failures
        }
        #expect(failures == 0)
        #expect(await sandbox.tenant.snapshot().tokens.count >= 3)
    }

    @Test("tokens and keys print as a mask in descriptions, mirrors and errors")
    func masked() async throws {
        let planted = "planted-token-\(UUID().uuidString)"
        let provider = APIKeyTokenProvider(apiKey: planted)
        let token = try await provider.token()
        #expect(!"\(token)".contains(planted) && !String(reflecting: token).contains(planted) && !"\(Mirror(reflecting: token).children.map(\.value))".contains(planted))
        let sandbox = await QlikCloudSandbox.make()
        let error = try await withLiveSandbox(sandbox) { credentials in
            let client = try QlikCloudClient.make(tenant: try credentials.tenant, authentication: .oauth2(clientID: Secret("id-\(planted)")!, clientSecret: Secret(planted)!),
                                                  settings: directSettings, retry: .none)
            defer { Task { await client.shutdown() } }
            do { _ = try await client.me(); return "" } catch { return "\(error) \(String(reflecting: error))" }
        }
        #expect(error.contains("401") && !error.contains(planted), "\(error)")
    }
}
