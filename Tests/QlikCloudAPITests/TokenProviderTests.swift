import Foundation
import Synchronization
@testable import QlikCloudAPI
import QlikConnections
import Testing
@testable import QlikCloudSandbox
import TestTenants

@Suite("OAuth tokens: cached, refreshed before expiry, single-flight")
struct TokenProviderTests {
    @Test("1,000 concurrent requests on a cold OAuth client cause exactly one token exchange")
    func singleFlight() async throws {
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(tier1PerMinute: .max, tier2PerMinute: .max))
        let before = await sandbox.tenant.snapshot().tokens.count
        let failures = try await withLiveSandbox(sandbox) { credentials in
            let client = try credentials.client(oauth: true, settings: directSettings)
            let failures = await withTaskGroup(of: String?.self) { group in
                for _ in 0..<1000 {
                    group.addTask {
                        do { _ = try await client.me(); return nil } catch { return "\(error)" }
                    }
                }
                return await group.reduce(into: [String]()) { if let failure = $1 { $0.append(failure) } }
            }
            await client.shutdown()
            return failures
        }
        let summary = "\(failures.count) failed, first: \(failures.first ?? "")"
        #expect(failures.isEmpty, "\(summary)")
        #expect(await sandbox.tenant.snapshot().tokens.count - before == 1)
    }

    @Test("a token is refreshed in the last tenth of its lifetime, before it expires, so no request fails across expiries")
    func refreshBeforeExpiry() async throws {
        // One hand-moved clock for the tenant and the client: what is pinned is the refresh rule, not how busy the machine is.
        let clock = ManualClock()
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(accessTokenLifetime: .seconds(2), tier1PerMinute: .max, tier2PerMinute: .max),
                                                  clock: { clock.now })
        let (failures, exchanges) = try await withLiveSandbox(sandbox) { credentials in
            let tenant = try credentials.tenant
            let transport = try AsyncHTTPTransport(host: tenant.host, scheme: tenant.scheme, settings: directSettings)
            let provider = OAuthClientCredentialsProvider(baseURL: tenant.description, clientID: credentials.clientID, clientSecret: credentials.clientSecret,
                                                          transport: transport, retry: .none, clock: { clock.now })
            let client = QlikCloudClient(baseURL: tenant.description, tokens: provider, transport: transport, retry: .none, settings: directSettings)
            var failures = 0
            var exchanges: [Int] = []
            // 0 s: first token. 1.7 s: still outside the last tenth, kept. 1.85 s: inside it, replaced in the
            // background while still valid. 3.7 s: the first token has expired; the second is in its last tenth, replaced again.
            for step in [0, 1.7, 0.15, 1.85] {
                clock.advance(step)
                do { _ = try await client.me() } catch { failures += 1 }
                // The early exchange runs beside the request: counted once it has landed.
                _ = try await provider.latestExchange()
                exchanges.append(await provider.exchanges)
            }
            await client.shutdown()
            return (failures, exchanges)
        }
        #expect(failures == 0)
        #expect(exchanges == [1, 1, 2, 3])
        #expect(await sandbox.tenant.snapshot().tokens.count == 3)
    }

    /// The sandbox's time, moved by the test: token validity then does not depend on how busy the machine is.
    final class ManualClock: Sendable {
        private let current = Mutex(Date())
        var now: Date { current.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
    }

    @Test("a token the tenant stops accepting early (401) is replaced once and the request retried, without a failure")
    func earlyExpiry() async throws {
        let clock = ManualClock()
        let faults = SandboxFaults(tokenValidity: .seconds(1))
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(tier1PerMinute: .max, tier2PerMinute: .max, faults: faults),
                                                  clock: { clock.now })
        let failures = try await withLiveSandbox(sandbox) { credentials in
            let client = try credentials.client(oauth: true, retry: .none, settings: directSettings)
            var failures = 0
            for _ in 0..<3 {
                do { _ = try await client.me() } catch { failures += 1 }
                // Past the token's real validity, though it announced six hours.
                clock.advance(2)
            }
            await client.shutdown()
            return failures
        }
        #expect(failures == 0)
        #expect(await sandbox.tenant.snapshot().tokens.count == 3)
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
