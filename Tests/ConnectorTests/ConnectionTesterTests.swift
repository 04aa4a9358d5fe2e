import Connector
import Foundation
import QlikCloudAPI
import QlikConnections
import Testing
import TestTenants
@testable import QlikCloudSandbox

@Suite("Test Connection against the sandbox tenant")
struct ConnectionTesterTests {
    static let tester = ConnectionTester(settings: directSettings)
    /// The operator's list these tests run under: the loopback sandbox, by address and by name, and the host that does not resolve.
    static let testHosts = TenantHostPolicy(patterns: ["127.0.0.1:*", "localhost:*", "no-such-tenant.invalid:*"].compactMap { try? HostPattern($0) })

    @Test("both authentication types pass every check, naming the identity, tenant and roles", arguments: [false, true])
    func passes(oauth: Bool) async throws {
        let sandbox = await QlikCloudSandbox.make()
        let report = try await withLiveSandbox(sandbox) { credentials in
            let authentication: ResolvedAuthentication = oauth
                ? .oauth2(clientID: Secret(credentials.clientID)!, clientSecret: Secret(credentials.clientSecret)!) : .apiKey(Secret(credentials.apiKey)!)
            return await Self.tester.run(baseURL: try credentials.tenant, authentication: authentication, hosts: Self.testHosts)
        }
        #expect(report.succeeded, "\(report.steps)")
        #expect(report.steps.map(\.name).contains("OAuth token exchange") == oauth)
        #expect(report.identity?.userID == sandbox.credentials(port: 0).userID)
        #expect(report.identity?.roles == ["TenantAdmin"])
        let permissions = try #require(report.steps.last)
        #expect(permissions.detail.contains("opened the app 'Sales Analysis' in the engine"))
    }

    /// What breaks a connection, and the words the failing step must use.
    enum Breakage: String, CaseIterable, Sendable {
        case unknownKey, revokedKey, expiredKey, wrongSecret, clientNotEnabled, disabledUser, rateLimited, serverErrors, wrongHost, noEngine
    }

    @Test("each failure stops the run at its step with the right diagnosis and no secret", arguments: Breakage.allCases)
    func diagnoses(_ breakage: Breakage) async throws {
        var configuration = SandboxConfiguration()
        switch breakage {
        case .rateLimited: configuration.faults = SandboxFaults(rateLimitShare: 1)
        case .serverErrors: configuration.faults = SandboxFaults(serverErrorShare: 1)
        case .noEngine: configuration.faults = SandboxFaults(dropWebSocketAfterMessages: 1)
        default: break
        }
        let sandbox = await QlikCloudSandbox.make(configuration: configuration)
        let tenant = sandbox.tenant
        let planted = "planted-secret-\(UUID().uuidString)"
        let userID = sandbox.credentials(port: 0).userID
        let report = try await withLiveSandbox(sandbox) { credentials in
            let good = Secret(credentials.apiKey)!
            var url = try credentials.tenant
            let authentication: ResolvedAuthentication
            switch breakage {
            case .unknownKey: authentication = .apiKey(Secret(planted)!)
            case .revokedKey:
                await tenant.revokeAPIKey(credentials.apiKey)
                authentication = .apiKey(good)
            case .expiredKey:
                let key = await tenant.addAPIKey(for: userID, token: planted, expiresAt: Date(timeIntervalSinceNow: -60))
                authentication = .apiKey(Secret(key.token)!)
            case .wrongSecret: authentication = .oauth2(clientID: Secret(credentials.clientID)!, clientSecret: Secret(planted)!)
            case .clientNotEnabled:
                await tenant.setClientEnabled(credentials.clientID, false)
                authentication = .oauth2(clientID: Secret(credentials.clientID)!, clientSecret: Secret(credentials.clientSecret)!)
            case .disabledUser:
                await tenant.setUserStatus(userID, "disabled")
                authentication = .apiKey(good)
            case .wrongHost:
                url = try TenantURL("http://no-such-tenant.invalid:\(url.port ?? 80)", policy: .anyWellFormedHost)
                authentication = .apiKey(Secret(planted)!)
            case .rateLimited, .serverErrors, .noEngine: authentication = .apiKey(good)
            }
            return await Self.tester.run(baseURL: url, authentication: authentication, hosts: Self.testHosts)
        }
        let failed = try #require(report.failedStep, "\(report.steps)")
        let expected: (step: String, detail: String, hint: String) = switch breakage {
        case .unknownKey: ("Authenticated call", "401", "API key is expired, revoked")
        case .revokedKey: ("Authenticated call", "has been revoked", "API key is expired, revoked")
        case .expiredKey: ("Authenticated call", "has expired", "create a new key")
        case .wrongSecret: ("OAuth token exchange", "401", "check the Client ID and Client Secret")
        case .clientNotEnabled: ("OAuth token exchange", "403", "machine-to-machine")
        case .disabledUser: ("Authenticated call", "disabled", "reactivate the user")
        case .rateLimited: ("Authenticated call", "wait", "rate limit")
        case .serverErrors: ("Authenticated call", "50", "retries did not help")
        case .wrongHost: ("DNS resolution", "does not resolve", "tenant name and region")
        case .noEngine: ("Permissions", "engine", "WebSocket")
        }
        #expect(failed.name.hasPrefix(expected.step), "\(failed)")
        #expect(failed.detail.contains(expected.detail), "\(failed.detail)")
        #expect(failed.hint?.contains(expected.hint) == true, "\(failed.hint ?? "no hint")")
        #expect(report.steps.drop { $0.verdict != .failed }.dropFirst().allSatisfy { $0.verdict == .skipped })
        let everything = String(decoding: try JSONEncoder().encode(report), as: UTF8.self) + report.summary
        #expect(!everything.contains(planted))
        #expect(!everything.contains(sandbox.credentials(port: 0).apiKey) && !everything.contains(sandbox.credentials(port: 0).clientSecret))
    }

    @Test("a tenant behind TLS with a self-signed certificate fails at TLS naming the issuer; with its CA bundle it passes",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func untrustedCertificate() async throws {
        let directory = NSTemporaryDirectory() + "qc-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (certificate, key) = try SelfSignedCertificate.make(in: directory)
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(tlsCertificatePath: certificate, tlsKeyPath: key))
        let (refused, trusted) = try await withLiveSandbox(sandbox) { credentials in
            // By name, as tenants are: the certificate names localhost too.
            let tenant = try TenantURL(credentials.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost"), policy: .anyWellFormedHost)
            let authentication = ResolvedAuthentication.apiKey(Secret(credentials.apiKey)!)
            let refused = await Self.tester.run(baseURL: tenant, authentication: authentication, hosts: Self.testHosts)
            var settings = directSettings
            settings.caBundlePath = certificate
            let trusted = await ConnectionTester(settings: settings).run(baseURL: tenant, authentication: authentication, hosts: Self.testHosts)
            return (refused, trusted)
        }
        let failed = try #require(refused.failedStep)
        #expect(failed.name == "TCP and TLS")
        #expect(failed.detail.contains("self-signed") && failed.detail.contains("CN=QlikConnector Test CA"), "\(failed.detail)")
        #expect(failed.hint?.contains("--ca-bundle") == true)
        #expect(trusted.succeeded, "\(trusted.steps)")
        #expect(trusted.steps.first { $0.name == "TCP and TLS" }?.detail.contains("issued by CN=QlikConnector Test CA") == true)
    }

    @Test("a trusted certificate issued for another host name fails at TLS as not valid for the host",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func wrongHostName() async throws {
        let directory = NSTemporaryDirectory() + "qc-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (certificate, key) = try SelfSignedCertificate.make(in: directory, subject: "/CN=other.example", names: "subjectAltName=DNS:other.example")
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(tlsCertificatePath: certificate, tlsKeyPath: key))
        let report = try await withLiveSandbox(sandbox) { credentials in
            var settings = directSettings
            settings.caBundlePath = certificate
            let tenant = try TenantURL(credentials.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost"), policy: .anyWellFormedHost)
            return await ConnectionTester(settings: settings).run(baseURL: tenant, authentication: .apiKey(Secret(credentials.apiKey)!), hosts: Self.testHosts)
        }
        let failed = try #require(report.failedStep)
        #expect(failed.name == "TCP and TLS" && failed.detail.contains("not valid for that name"), "\(failed.detail)")
        #expect(failed.hint?.contains("does not match the certificate") == true)
    }

    @Test("a tenant reached through an HTTPS_PROXY that is down is reported as unreachable through the proxy")
    func proxyDown() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let report = try await withLiveSandbox(sandbox) { credentials in
            let settings = TransportSettings(proxies: ProxyEnvironment(environment: ["HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"]),
                                             connectTimeout: .seconds(2))
            return await ConnectionTester(settings: settings).run(baseURL: try credentials.tenant, authentication: .apiKey(Secret(credentials.apiKey)!), hosts: Self.testHosts)
        }
        let failed = try #require(report.failedStep)
        #expect(report.steps.first { $0.name == "DNS resolution" }?.detail.contains("proxy 127.0.0.1:9") == true)
        #expect(failed.detail.contains("through the proxy 127.0.0.1:9"), "\(failed.detail)")
        #expect(failed.hint?.contains("HTTPS_PROXY") == true)
    }
}
