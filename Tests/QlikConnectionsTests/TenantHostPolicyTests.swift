import Testing
@testable import QlikConnections

@Suite("The operator's tenant host allow-list and the address checks before every request")
struct TenantHostPolicyTests {
    @Test("patterns parse to one normalised form; numeric hosts in any spelling read as the address they reach", arguments: [
        ("127.0.0.1:*", "127.0.0.1:*"), ("127.0.0.1", "127.0.0.1:*"), ("2130706433:8080", "127.0.0.1:8080"), ("0x7f.1:*", "127.0.0.1:*"),
        ("017700000001:*", "127.0.0.1:*"), ("[::ffff:127.0.0.1]:*", "127.0.0.1:*"), ("[::1]:9000", "[::1]:9000"), ("[0:0::1]", "[::1]:*"),
        ("LocalHost.:443", "localhost:443"), ("*.Test.Internal", "*.test.internal:*"), ("*.test.internal:8443", "*.test.internal:8443"),
    ])
    func normalises(_ raw: String, _ stored: String) throws {
        #expect(try HostPattern(raw).description == stored)
    }

    @Test("invalid patterns are refused with what is wrong and the expected form; metadata and link-local can never be listed", arguments: [
        ("", "empty"), ("*", "'*' other than"), ("*:8080", "'*' other than"), ("*.internal", "at least two labels"), ("a.*.internal", "'*' other than"),
        ("http://127.0.0.1:1", "scheme"), ("127.0.0.1/x", "path"), ("user@host:1", "user information"), ("127.0.0.1:0", "port"),
        ("127.0.0.1:99999", "port"), ("::1:80", "without brackets"), ("[::1", "does not close"), ("*.0.0.1", "IP address"),
        ("169.254.169.254:*", "never reached"), ("2852039166", "never reached"), ("[fd00:ec2::254]:80", "never reached"),
        ("[fe80::1]", "never reached"), ("metadata.google.internal", "metadata"), ("under_score:1", "neither a host name"),
    ])
    func refuses(_ raw: String, _ expected: String) {
        let refused = #expect(throws: HostPatternError.self) { try HostPattern(raw) }
        #expect(refused?.description.contains(expected) == true && refused?.description.contains("Expected") == true, "\(raw): \(refused?.description ?? "")")
    }

    @Test("a pattern admits its host on its port; a wildcard the names under its domain only, never an address")
    func matching() throws {
        let policy = try TenantHostPolicy(parsing: ["127.0.0.1:9000", "*.test.internal", "[::1]:*"])
        #expect(policy.pattern(admitting: "127.0.0.1", port: 9000) != nil)
        #expect(policy.pattern(admitting: "2130706433", port: 9000) != nil, "the integer spelling is the same host")
        #expect(policy.pattern(admitting: "127.0.0.1", port: 22) == nil)
        #expect(policy.pattern(admitting: "a.b.test.internal", port: 1) != nil)
        #expect(policy.pattern(admitting: "test.internal", port: 1) == nil && policy.pattern(admitting: "evil-test.internal", port: 1) == nil)
        #expect(policy.pattern(admitting: "[::1]", port: 5) != nil && policy.pattern(admitting: "[0::1]", port: 5) != nil)
    }

    @Test("the address classifier: link-local and metadata never, loopback and private only when listed, in every spelling (IPv4-mapped, NAT64)", arguments: [
        ("169.254.169.254", "forbidden"), ("169.254.0.1", "forbidden"), ("fe80::1", "forbidden"), ("fd00:ec2::254", "forbidden"),
        ("::ffff:169.254.169.254", "forbidden"), ("64:ff9b::a9fe:a9fe", "forbidden"),
        ("127.0.0.1", "private"), ("127.1.2.3", "private"), ("0.0.0.0", "private"), ("::1", "private"), ("::", "private"), ("10.1.2.3", "private"),
        ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("100.64.0.1", "private"), ("fd12::1", "private"), ("::ffff:10.0.0.1", "private"),
        ("8.8.8.8", "public"), ("2001:4860:4860::8888", "public"), ("172.32.0.1", "public"),
    ])
    func classifiesKnownForms(_ text: String, _ expected: String) throws {
        try classifies(text, expected)
    }

    @Test("metadata services outside 169.254.0.0/16 are never reached: Alibaba's 100.100.100.200 (inside CGNAT), AWS's fd00:ec2::/32 (EKS Pod Identity), GCP's fd20:ce::254, Azure's WireServer", arguments: [
        ("100.100.100.200", "forbidden"), ("fd00:ec2::23", "forbidden"), ("fd00:ec2::254", "forbidden"), ("fd00:ec2:1:2::3", "forbidden"),
        ("fd20:ce::254", "forbidden"), ("168.63.129.16", "forbidden"),
        // Their neighbours keep their class.
        ("100.100.100.201", "private"), ("fd00:ec3::23", "private"), ("fd20:ce::253", "private"), ("168.63.129.17", "public"),
    ])
    func classifiesMetadata(_ text: String, _ expected: String) throws {
        try classifies(text, expected)
    }

    @Test("an IPv6 address that carries an IPv4 one is classified by it: IPv4-compatible, -mapped, -translated, 6to4, NAT64 (well-known and local-use), Teredo (client bits inverted)", arguments: [
        ("::a9fe:a9fe", "forbidden"), ("::169.254.169.254", "forbidden"), ("::127.0.0.1", "private"), ("::8.8.8.8", "public"),
        ("::ffff:0:a9fe:a9fe", "forbidden"), ("::ffff:0:10.0.0.1", "private"),
        ("2002:a9fe:a9fe::", "forbidden"), ("2002:a9fe:a9fe:1::1", "forbidden"), ("2002:7f00:1::1", "private"), ("2002:0808:0808::1", "public"),
        ("64:ff9b::10.1.2.3", "private"), ("64:ff9b::8.8.8.8", "public"),
        // Local-use NAT64 in each RFC 6052 layout: /48, /56, /64, /96.
        ("64:ff9b:1:a9fe:a9:fe00::", "forbidden"), ("64:ff9b:1:00a9:fe:a9fe::", "forbidden"), ("64:ff9b:1::a9:fea9:fe00:0", "forbidden"),
        ("64:ff9b:1::a9fe:a9fe", "forbidden"), ("64:ff9b:1::808:808", "private"),
        // Teredo: server 65.54.227.120, client 169.254.169.254 stored inverted (5601:5601), and client 8.8.8.8 (f7f7:f7f7).
        ("2001:0:4136:e378:8000:63bf:5601:5601", "forbidden"), ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", "public"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "private"),
    ])
    func classifiesEmbeddedIPv4(_ text: String, _ expected: String) throws {
        try classifies(text, expected)
    }

    @Test("the unspecified address reaches this machine (0.0.0.0 does on Linux): loopback-like, listed hosts only; multicast, broadcast and reserved never", arguments: [
        ("0.0.0.0", "private"), ("0.1.2.3", "private"), ("0", "private"), ("::", "private"), ("[::]", "private"),
        ("224.0.0.1", "forbidden"), ("239.255.255.250", "forbidden"), ("240.0.0.1", "forbidden"), ("255.255.255.255", "forbidden"),
        ("ff02::1", "forbidden"), ("ff05::2", "forbidden"), ("::ffff:224.0.0.1", "forbidden"),
    ])
    func classifiesSpecialRanges(_ text: String, _ expected: String) throws {
        try classifies(text, expected)
    }

    @Test("a refused embedded address says which IPv4 address it carries")
    func embeddedReason() throws {
        let address = try #require(HostAddress(literal: "2002:a9fe:a9fe::1"))
        guard case .forbidden(let why) = address.reach else { Issue.record("\(address) is \(address.reach)"); return }
        #expect(why.contains("6to4") && why.contains("169.254.169.254"), "\(why)")
        let refused = #expect(throws: HostPatternError.self) { try HostPattern("[2002:a9fe:a9fe::1]:*") }
        #expect(refused?.description.contains("never reached") == true, "\(refused?.description ?? "")")
    }
    private func classifies(_ text: String, _ expected: String) throws {
        let address = try #require(HostAddress(literal: text))
        let reach = switch address.reach {
        case .publicInternet: "public"
        case .privateNetwork: "private"
        case .forbidden: "forbidden"
        }
        #expect(reach == expected, "\(text) is \(reach)")
    }

    @Test("what a host resolves to decides: a link-local answer is refused even for a listed host; loopback only for a listed one")
    func resolvedAddresses() throws {
        let listed = try TenantHostPolicy(parsing: ["*.test.internal", "127.0.0.1:*"])
        let linkLocal = [try #require(HostAddress(literal: "10.0.0.5")), try #require(HostAddress(literal: "169.254.169.254"))]
        let refused = #expect(throws: HostRefusal.self) { try listed.checkAddresses(linkLocal, host: "tenant.test.internal", port: 443) }
        #expect(refused?.reason.contains("169.254.169.254") == true && refused?.hint == nil, "\(refused?.description ?? "")")
        let loopback = [try #require(HostAddress(literal: "127.0.0.1"))]
        try listed.checkAddresses(loopback, host: "tenant.test.internal", port: 443)
        let unlisted = #expect(throws: HostRefusal.self) { try TenantHostPolicy.qlikCloudOnly.checkAddresses(loopback, host: "acme.eu.qlikcloud.com", port: 443) }
        #expect(unlisted?.description.contains("qlik-connector hosts allow 'acme.eu.qlikcloud.com:443'") == true, "\(unlisted?.description ?? "")")
        try TenantHostPolicy.qlikCloudOnly.checkAddresses([try #require(HostAddress(literal: "34.1.2.3"))], host: "acme.eu.qlikcloud.com", port: 443)
    }

    @Test("a name that resolves to loopback is refused without an entry and reached with one; a metadata name or address is refused before any lookup")
    func localhost() async throws {
        let resolver = AnsweringResolver(["localhost": ["::1", "127.0.0.1"]])
        let refused = await #expect(throws: HostRefusal.self) { try await TenantHostPolicy.qlikCloudOnly.resolveAndCheck(host: "localhost", port: 8080, resolver: resolver) }
        #expect(refused?.reason.contains("loopback") == true, "\(refused?.description ?? "")")
        let addresses = try await TenantHostPolicy(parsing: ["localhost:8080"]).resolveAndCheck(host: "localhost", port: 8080, resolver: resolver)
        #expect(addresses.map(\.description) == ["::1", "127.0.0.1"], "in the resolver's order")
        for host in ["metadata.google.internal", "169.254.169.254", "2852039166", "[fd00:ec2::254]", "100.100.100.200", "[::a9fe:a9fe]"] {
            await #expect(throws: HostRefusal.self, "\(host)") {
                try await TenantHostPolicy(parsing: ["*.google.internal"]).resolveAndCheck(host: host, port: 80, resolver: resolver)
            }
        }
        #expect(await resolver.askedFor == ["localhost", "localhost"], "names only: literal addresses and metadata names are never looked up")
    }

    @Test("a listed name that resolves to an address carrying a metadata address (6to4, IPv4-compatible, local-use NAT64, Teredo) is refused")
    func embeddedAfterResolution() async throws {
        let listed = try TenantHostPolicy(parsing: ["*.test.internal"])
        for answer in ["2002:a9fe:a9fe::1", "::a9fe:a9fe", "64:ff9b:1::a9fe:a9fe", "2001:0:4136:e378:8000:63bf:5601:5601", "fd00:ec2::23", "100.100.100.200"] {
            let resolver = AnsweringResolver(["tenant.test.internal": ["10.0.0.7", answer]])
            let refused = await #expect(throws: HostRefusal.self, "\(answer)") {
                try await listed.resolveAndCheck(host: "tenant.test.internal", port: 443, resolver: resolver)
            }
            #expect(refused?.reason.contains("never connects to") == true, "\(refused?.description ?? "")")
        }
    }

    @Test("restricted to one host, the list keeps only the entries that admit it (any spelling of the host, its port): what a task is handed")
    func restricted() throws {
        let policy = try TenantHostPolicy(parsing: ["127.0.0.1:9000", "*.test.internal", "[::1]:*", "other.test.internal:8443", "127.0.0.1:*"])
        #expect(policy.restricted(toHost: "2130706433", port: 9000).patterns.map(\.description) == ["127.0.0.1:9000", "127.0.0.1:*"])
        #expect(policy.restricted(toHost: "127.0.0.1", port: 22).patterns.map(\.description) == ["127.0.0.1:*"])
        #expect(policy.restricted(toHost: "A.Test.Internal.", port: 443).patterns.map(\.description) == ["*.test.internal:*"])
        #expect(policy.restricted(toHost: "other.test.internal", port: 8443).patterns.map(\.description) == ["*.test.internal:*", "other.test.internal:8443"])
        #expect(policy.restricted(toAddress: "http://[::1]:8200/v1").patterns.map(\.description) == ["[::1]:*"])
        #expect(policy.restricted(toAddress: "https://vault.example.com").patterns.isEmpty)
        #expect(policy.restricted(toAddress: "not an address").patterns.isEmpty)
    }

    @Test("a Base URL: Qlik Cloud tenants need no entry; 169.254.169.254, 127.0.0.1:22, [::1] and 2130706433 are refused without one")
    func tenants() throws {
        try TenantHostPolicy.qlikCloudOnly.checkTenant(try TenantURL("https://acme.eu.qlikcloud.com"))
        for raw in ["http://169.254.169.254", "http://127.0.0.1:22", "http://[::1]:8080", "http://2130706433:8080"] {
            let url = try TenantURL(raw, policy: .anyWellFormedHost)
            #expect(throws: HostRefusal.self, "\(raw)") { try TenantHostPolicy.qlikCloudOnly.checkTenant(url) }
        }
        #expect(throws: HostRefusal.self, "never, even listed") {
            try TenantHostPolicy(parsing: ["127.0.0.1:*"]).checkTenant(try TenantURL("http://169.254.169.254", policy: .anyWellFormedHost))
        }
    }

    @Test("a secrets manager address: https anywhere public; http only to a listed host; metadata never")
    func serviceAddresses() throws {
        let none = TenantHostPolicy.qlikCloudOnly
        try none.checkServiceAddress("https://vault.example.com:8200", what: "Vault address")
        let http = #expect(throws: HostRefusal.self) { try none.checkServiceAddress("http://127.0.0.1:47001", what: "Vault address") }
        #expect(http?.description.contains("uses http://") == true && http?.description.contains("qlik-connector hosts allow '127.0.0.1:47001'") == true)
        try TenantHostPolicy(parsing: ["127.0.0.1:*"]).checkServiceAddress("http://127.0.0.1:47001", what: "Vault address")
        for address in ["http://169.254.169.254", "https://169.254.169.254/latest", "https://metadata.google.internal", "https://[fd00:ec2::254]:443"] {
            #expect(throws: HostRefusal.self, "\(address)") { try TenantHostPolicy(parsing: ["127.0.0.1:*"]).checkServiceAddress(address, what: "Vault address") }
        }
    }
}

/// A resolver with fixed answers, which records the names it was asked for.
actor AnsweringResolver: HostNameResolver {
    let answers: [String: [String]]
    private(set) var askedFor: [String] = []

    init(_ answers: [String: [String]]) { self.answers = answers }

    func addresses(of host: String, port: Int) async throws(HostRefusal) -> [HostAddress] {
        askedFor.append(host)
        guard let texts = answers[host] else { throw HostRefusal("\(host) does not resolve to any address (test resolver).") }
        return texts.compactMap { HostAddress(literal: $0) }
    }
}
