import Testing
@testable import QlikConnections

@Suite("Base URL rules")
struct TenantURLTests {
    @Test("normalizes valid Qlik Cloud tenant URLs", arguments: [
        ("https://acme.eu.qlikcloud.com", "https://acme.eu.qlikcloud.com"),
        ("https://Acme.EU.QlikCloud.com/", "https://acme.eu.qlikcloud.com"),
        ("HTTPS://acme-data.us.qlikcloud.com", "https://acme-data.us.qlikcloud.com"),
        ("https://acme.ap.qlikcloud.com", "https://acme.ap.qlikcloud.com"),
        ("https://agency.us.qlikcloudgov.com", "https://agency.us.qlikcloudgov.com"),
        ("https://t1.newregion2.qlikcloud.com", "https://t1.newregion2.qlikcloud.com"),
    ])
    func valid(_ raw: String, _ normalized: String) throws {
        let url = try TenantURL(raw)
        #expect(url.description == normalized)
        #expect(url.isQlikCloudHost)
    }

    @Test("splits tenant and region")
    func labels() throws {
        let url = try TenantURL("https://acme.de.qlikcloud.com")
        #expect(url.tenantLabel == "acme")
        #expect(url.region == "de")
    }

    @Test("refuses each malformed Base URL with its own message", arguments: [
        ("http://acme.eu.qlikcloud.com", "uses http://"),
        ("acme.eu.qlikcloud.com", "has no scheme"),
        ("ftp://acme.eu.qlikcloud.com", "scheme 'ftp'"),
        ("https://acme.eu.qlikcloud.com.evil.example", "not a Qlik Cloud host"),
        ("https://qlikcloud.com", "does not name both a tenant and a region"),
        ("https://acme.qlikcloud.com", "does not name both a tenant and a region"),
        ("https://a.b.eu.qlikcloud.com", "does not name both a tenant and a region"),
        ("https://evilqlikcloud.com", "not a Qlik Cloud host"),
        ("https://example.com", "not a Qlik Cloud host"),
        ("https://x@acme.eu.qlikcloud.com", "user information"),
        ("https://user:pass@acme.eu.qlikcloud.com", "user information"),
        ("https://acme.eu.qlikcloud.com:443", "names a port"),
        ("https://acme.eu.qlikcloud.com:8443/", "names a port"),
        ("https://acme.eu.qlikcloud.com/api/v1", "has a path"),
        ("https://acme.eu.qlikcloud.com//", "has a path"),
        ("https://acme.eu.qlikcloud.com?x=1", "has a query"),
        ("https://acme.eu.qlikcloud.com/#top", "has a fragment"),
        ("https://acme.eu.qlikcloud.com ", "whitespace"),
        (" https://acme.eu.qlikcloud.com", "whitespace"),
        ("https://acme .eu.qlikcloud.com", "whitespace"),
        ("https://acme.eu.qlikcloud.com\t", "whitespace"),
        ("https://acmé.eu.qlikcloud.com", "non-ASCII"),
        ("https://аcme.eu.qlikcloud.com", "non-ASCII"),
        ("https://-acme.eu.qlikcloud.com", "not a valid host label"),
        ("https://acme.e.qlikcloud.com", "not a Qlik Cloud region code"),
        ("https://acme.1u.qlikcloud.com", "not a Qlik Cloud region code"),
        ("https://", "has no host"),
        ("", "required"),
    ])
    func invalid(_ raw: String, _ fragment: String) {
        let error = #expect(throws: ConnectionValidationError.self) { try TenantURL(raw) }
        let message = error?.description ?? ""
        #expect(message.contains(fragment), "\(raw): \(message)")
        #expect(message.contains(TenantURL.expectedForm), "\(raw): \(message)")
        #expect(error?.problems.first?.field == .baseURL)
    }

    @Test("with custom hosts allowed, admits the sandbox tenant on loopback", arguments: [
        ("http://127.0.0.1:9090", "http://127.0.0.1:9090"),
        ("http://LOCALHOST:8080/", "http://localhost:8080"),
        ("https://qlik.test.internal", "https://qlik.test.internal"),
        ("http://[::1]:9090", "http://[::1]:9090"),
        ("https://acme.eu.qlikcloud.com", "https://acme.eu.qlikcloud.com"),
    ])
    func customHosts(_ raw: String, _ normalized: String) throws {
        #expect(try TenantURL(raw, policy: .anyWellFormedHost).description == normalized)
    }

    @Test("with custom hosts allowed, still refuses credentials, paths, bad ports, and Qlik hosts off their rules", arguments: [
        "http://x@127.0.0.1:9090", "http://127.0.0.1:9090/api", "http://127.0.0.1:0", "http://127.0.0.1:70000",
        "http://127.0.0.1:abc", "http://127.0.0.1:+80", "http://127.0.0.1:", "http://127.0.0.1:9090?q", "gopher://127.0.0.1",
        "http://bad_host", "http://[]", "http://[]:80",
        "http://acme.eu.qlikcloud.com", "https://acme.eu.qlikcloud.com:8443", "https://qlikcloud.com", "https://acme.qlikcloudgov.com",
    ])
    func customHostsStillStrict(_ raw: String) {
        #expect(throws: ConnectionValidationError.self) { try TenantURL(raw, policy: .anyWellFormedHost) }
    }

    @Test("never echoes what was typed when it may hold a credential")
    func noEcho() {
        for raw in ["user:SECRET-TOKEN@acme.eu.qlikcloud.com", "https://acme.eu.qlikcloud.com/SECRET-TOKEN", "https://acme.eu.qlikcloud.com?t=SECRET-TOKEN"] {
            let error = #expect(throws: ConnectionValidationError.self) { try TenantURL(raw) }
            #expect(error?.description.contains("SECRET-TOKEN") == false, "\(raw)")
        }
    }

    @Test("without the organization setting, loopback hosts are refused")
    func loopbackNeedsSetting() {
        #expect(throws: ConnectionValidationError.self) { try TenantURL("http://127.0.0.1:9090") }
        #expect(throws: ConnectionValidationError.self) { try TenantURL("https://127.0.0.1") }
    }
}
