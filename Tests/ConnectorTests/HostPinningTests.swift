import Connector
import Foundation
import QlikCloudAPI
import QlikConnections
import Testing
import TestTenants
@testable import QlikCloudSandbox

/// DNS rebinding: the name is checked once, then every connection goes to the address that was checked,
/// where the libraries allow it; the engine's WebSocket checks the name again right before it opens.
@Suite("Connections go to the address the host check accepted")
struct HostPinningTests {
    /// A name that resolves nowhere for real: only the test resolver answers it, so a request reaches the tenant only through the pin.
    static let name = "rebind-tenant.test.invalid"

    @Test("the check pins a checked address (IPv4 first) and the REST client connects there, SNI and Host kept: a name that no longer resolves still reaches the checked tenant")
    func restUsesPinnedAddress() async throws {
        let sandbox = await QlikCloudSandbox.make()
        try await withLiveSandbox(sandbox) { credentials in
            let port = try #require(try credentials.tenant.port)
            let tenant = try TenantURL("http://\(Self.name):\(port)", policy: .anyWellFormedHost)
            let hosts = try TenantHostPolicy(parsing: ["\(Self.name):\(port)"])
            let resolver = FixedResolver([Self.name: ["::1", "127.0.0.1"]])
            let checked = try await TenantHostCheck.beforeRequests(to: tenant, hosts: hosts, settings: directSettings, resolver: resolver)
            #expect(checked.settings.pinnedAddresses == [Self.name: "127.0.0.1"])
            #expect(checked.addresses?.map(\.description) == ["::1", "127.0.0.1"])

            let pinned = try QlikCloudClient.make(tenant: tenant, authentication: .apiKey(Secret(credentials.apiKey)!), settings: checked.settings, retry: .none)
            let user = try await pinned.run { try await $0.me() }
            #expect(user.id == credentials.userID)

            // The same client without the pin resolves the name again, and finds nothing there.
            let unpinned = try QlikCloudClient.make(tenant: tenant, authentication: .apiKey(Secret(credentials.apiKey)!), settings: directSettings, retry: .none)
            await #expect(throws: QlikAPIError.self) { try await unpinned.run { try await $0.me() } }
        }
    }

    @Test("through a proxy nothing is pinned (the proxy resolves names); a literal address is never pinned")
    func noPinThroughProxyOrForLiterals() async throws {
        let resolver = FixedResolver([Self.name: ["127.0.0.1"]])
        let hosts = try TenantHostPolicy(parsing: ["\(Self.name):*", "127.0.0.1:*"])
        let proxied = TransportSettings(proxies: ProxyEnvironment(environment: ["HTTP_PROXY": "http://127.0.0.1:9"]))
        let viaProxy = try await TenantHostCheck.beforeRequests(to: try TenantURL("http://\(Self.name):8080", policy: .anyWellFormedHost),
                                                                hosts: hosts, settings: proxied, resolver: resolver)
        #expect(viaProxy.settings.pinnedAddresses.isEmpty && viaProxy.addresses == nil)
        let literal = try await TenantHostCheck.beforeRequests(to: try TenantURL("http://127.0.0.1:8080", policy: .anyWellFormedHost),
                                                               hosts: hosts, settings: directSettings, resolver: resolver)
        #expect(literal.settings.pinnedAddresses.isEmpty && literal.addresses?.map(\.description) == ["127.0.0.1"])
        #expect(await resolver.askedFor.isEmpty, "neither case looks the name up")
    }

    @Test("Test Connection over TLS by name: DNS pins the checked address, every step passes, and the report says where it connects",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func testConnectionPins() async throws {
        let directory = NSTemporaryDirectory() + "qc-pin-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (certificate, key) = try SelfSignedCertificate.make(in: directory)
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(tlsCertificatePath: certificate, tlsKeyPath: key))
        let report = try await withLiveSandbox(sandbox) { credentials in
            // 'localhost' answered as 127.0.0.1 at check time: REST and the probe go there; the engine's socket resolves it itself.
            let tenant = try TenantURL(credentials.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost"), policy: .anyWellFormedHost)
            var settings = directSettings
            settings.caBundlePath = certificate
            let tester = ConnectionTester(settings: settings, resolver: FixedResolver(["localhost": ["127.0.0.1"]]))
            return await tester.run(baseURL: tenant, authentication: .apiKey(Secret(credentials.apiKey)!), hosts: ConnectionTesterTests.testHosts)
        }
        #expect(report.succeeded, "\(report.steps)")
        let dns = try #require(report.steps.first { $0.name == "DNS resolution" })
        #expect(dns.detail.contains("connect to 127.0.0.1"), "\(dns.detail)")
    }

    @Test("each engine session resolves and checks the host again right before its socket opens: an answer that turned to a metadata address is refused before it connects")
    func engineRechecks() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let appID = await sandbox.addGeneratedApp(name: "Pinned", rows: 3, columns: 2, seed: 1)
        let (opened, refused) = try await withLiveSandbox(sandbox) { credentials in
            let tenant = try TenantURL(credentials.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost"), policy: .anyWellFormedHost)
            let hosts = try TenantHostPolicy(parsing: ["localhost:*"])
            let resolver = SwitchingResolver(first: ["127.0.0.1"], then: ["169.254.169.254"])
            let checked = try await TenantHostCheck.beforeRequests(to: tenant, hosts: hosts, settings: directSettings, resolver: resolver)
            let client = try QlikCloudClient.make(tenant: tenant, authentication: .apiKey(Secret(credentials.apiKey)!), settings: checked.settings, retry: .none)
            return try await client.run { client in
                // The task's check answered loopback; the first session's check does too, and it opens.
                await resolver.keepFirst(for: 1)
                let opened = try await EngineSession.withSession(client: client, appID: appID) { try await $0.openDoc() }
                // Then the name rebinds to the metadata address: the next session is refused before it connects.
                let refused = await #expect(throws: HostRefusal.self) {
                    _ = try await EngineSession.withSession(client: client, appID: appID) { try await $0.openDoc() }
                }
                return (opened, refused)
            }
        }
        #expect(opened > 0, "the first session opened the app: the engine answers a positive document handle")
        #expect(refused?.reason.contains("169.254.169.254") == true, "\(refused?.description ?? "")")
    }

    @Test("the warm quick check refuses a host the list no longer admits, before any request")
    func quickCheckChecksHosts() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let (admitted, removed) = try await withLiveSandbox(sandbox) { credentials in
            let tenant = try credentials.tenant
            let client = try credentials.client(settings: directSettings)
            let tester = ConnectionTester(settings: directSettings)
            return try await client.run { client in
                let admitted = await tester.quickCheck(client: client, baseURL: tenant, hosts: try TenantHostPolicy(parsing: ["127.0.0.1:*"]))
                let removed = await tester.quickCheck(client: client, baseURL: tenant, hosts: .qlikCloudOnly)
                return (admitted, removed)
            }
        }
        #expect(admitted.succeeded, "\(admitted.steps)")
        #expect(!removed.succeeded && removed.failedStep?.detail.contains("allow-list") == true, "\(removed.steps)")
    }
}

/// A resolver with fixed answers, which records the names it was asked for.
actor FixedResolver: HostNameResolver {
    let answers: [String: [String]]
    private(set) var askedFor: [String] = []

    init(_ answers: [String: [String]]) { self.answers = answers }

    func addresses(of host: String, port: Int) async throws(HostRefusal) -> [HostAddress] {
        askedFor.append(host)
        guard let texts = answers[host] else { throw HostRefusal("\(host) does not resolve to any address (test resolver).") }
        return texts.compactMap { HostAddress(literal: $0) }
    }
}

/// A name whose DNS an attacker controls: the first answers, then others (DNS rebinding).
actor SwitchingResolver: HostNameResolver {
    let first: [String], then: [String]
    private var firstLeft = 1

    init(first: [String], then: [String]) {
        self.first = first
        self.then = then
    }

    /// Answers `first` for the next `count` look-ups.
    func keepFirst(for count: Int) { firstLeft = count }

    func addresses(of host: String, port: Int) async throws(HostRefusal) -> [HostAddress] {
        let texts = firstLeft > 0 ? first : then
        firstLeft -= 1
        return texts.compactMap { HostAddress(literal: $0) }
    }
}
