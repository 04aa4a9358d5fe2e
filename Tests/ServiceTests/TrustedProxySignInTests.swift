import Foundation
import HTTPTypes
import Logging
import NIOCore
import QlikConnections
import Secrets
import Testing
@testable import Service
import UseCases

/// Console sign-in behind a reverse proxy: X-Forwarded-For names the client only when the TCP peer is a trusted proxy
/// (`serve --trusted-proxy`), read from the right, so that users behind one proxy are counted apart and nobody else
/// can choose the address they are counted under.
@Suite("Trusted proxies: the client a console sign-in counts against")
struct TrustedProxySignInTests {
    static func proxies(_ cidrs: String...) throws -> TrustedProxies { try TrustedProxies(parsing: cidrs) }

    static func address(_ text: String) throws -> SocketAddress { try SocketAddress(ipAddress: text, port: 40_000) }

    static func client(_ proxies: TrustedProxies, peer: String, _ forwardedFor: [String]) throws -> String? {
        proxies.client(peer: try address(peer), forwardedFor: forwardedFor)?.ipAddress
    }

    /// A service like the harness's, trusting `proxies`, with the console's designer and viewer given a password.
    static func service(trusting proxies: TrustedProxies) async throws -> ConnectorService {
        let harness = try await ConsoleSignInTests.harness()
        return ConnectorService(repository: harness.repository, keyring: Keyring(active: MasterKey.generate()),
                                logger: Logger(label: "trusted-proxy-tests") { _ in SwiftLogNoOpLogHandler() },
                                passwords: PasswordHasher(cost: 4), trustedProxies: proxies)
    }

    /// Twenty failed sign-ins (the per-client limit), each for another e-mail address, each sent with `forwardedFor(index)`.
    static func failTwentyTimes(_ console: LiveConsole, _ form: LiveConsole.Form, forwardedFor: @escaping @Sendable (Int) -> String) async throws {
        let answers = try await console.concurrently(SignInThrottle.perClient) { index in
            try await console.signIn(form, email: "someone\(index)@acme.example", password: "guess", forwardedFor: forwardedFor(index))
        }
        #expect(answers.allSatisfy { $0.status == .unauthorized }, "\(answers.map(\.status))")
    }

    @Test("the address choice: the peer unless it is trusted; then the right-most forwarded address that is not a trusted proxy")
    func addressChoice() throws {
        let trusted = try Self.proxies("10.0.0.0/8", "127.0.0.1/32", "::1/128")
        #expect(try Self.client(.none, peer: "127.0.0.1", ["198.51.100.7"]) == "127.0.0.1", "no trusted proxy: the header changes nothing")
        #expect(try Self.client(trusted, peer: "203.0.113.9", ["198.51.100.7"]) == "203.0.113.9", "an untrusted peer cannot name another client")
        #expect(try Self.client(trusted, peer: "127.0.0.1", ["198.51.100.7"]) == "198.51.100.7")
        #expect(try Self.client(trusted, peer: "127.0.0.1", []) == "127.0.0.1", "no header: the proxy itself")
        #expect(try Self.client(trusted, peer: "127.0.0.1", ["6.6.6.6, 198.51.100.7"]) == "198.51.100.7", "a forged left-most entry is not used")
        #expect(try Self.client(trusted, peer: "127.0.0.1", ["6.6.6.6", "198.51.100.7, 10.1.2.3"]) == "198.51.100.7",
                "several fields read as one list, a chain of trusted proxies skipped")
        #expect(try Self.client(trusted, peer: "::1", ["2001:db8::5"]) == "2001:db8::5")
        #expect(try Self.client(trusted, peer: "::ffff:127.0.0.1", ["198.51.100.7"]) == "198.51.100.7", "a dual-stack socket's IPv4 peer matches IPv4 ranges")
        #expect(try Self.client(trusted, peer: "127.0.0.1", ["198.51.100.7:5123"]) == "198.51.100.7")
        #expect(try Self.client(trusted, peer: "127.0.0.1", ["[2001:db8::5]:5123"]) == "2001:db8::5")
        #expect(try Self.client(trusted, peer: "127.0.0.1", ["198.51.100.7, unknown"]) == "127.0.0.1",
                "an entry that is no address stops at the hop that wrote it")
        #expect(try Self.client(trusted, peer: "127.0.0.1", ["10.0.0.2, 10.0.0.1"]) == "10.0.0.2", "all trusted: the farthest")
    }

    @Test("--trusted-proxy values: CIDRs and bare addresses accepted; anything else refused saying what is wrong and what is expected")
    func parsing() throws {
        #expect(try Self.proxies("10.0.0.0/8", "127.0.0.1", "::1/128", "fd00::/8").ranges.map(\.description)
                == ["10.0.0.0/8", "127.0.0.1/32", "::1/128", "fd00::/8"])
        let refusals: [(String, String)] = [
            ("proxy.local/32", "'proxy.local' is not an IP address; expected an IPv4 or IPv6 network in CIDR notation"),
            ("10.0.0.0/33", "the prefix length '33' is not a number from 0 to 32"),
            ("::1/129", "the prefix length '129' is not a number from 0 to 128"),
            ("10.0.0.0/", "the prefix length '' is not a number from 0 to 32"),
            ("10.1.2.3/8", "write the network '10.0.0.0/8', or '10.1.2.3/32' for that one address"),
            ("", "'' is not an IP address"),
        ]
        for (value, message) in refusals {
            let error = #expect(throws: TrustedProxyError.self) { try Self.proxies(value) }
            #expect(error?.description.hasPrefix("--trusted-proxy '\(value)': ") == true && error?.description.contains(message) == true,
                    "\(value): \(error?.description ?? "accepted")")
        }
    }

    @Test("without --trusted-proxy, X-Forwarded-For changes nothing: twenty failures under twenty forwarded addresses lock out the peer")
    func ignoredWithoutOption() async throws {
        let service = try await Self.service(trusting: .none)
        try await ConsoleSignInTests.withLiveService(service) { console in
            let form = try await console.signInForm()
            try await Self.failTwentyTimes(console, form) { "198.51.100.\($0 + 1)" }
            let refused = try await console.signIn(form, email: "designer@acme.example", password: ConsoleSignInTests.password, forwardedFor: "192.0.2.200")
            #expect(refused.status == .tooManyRequests && refused.text.contains("from your network address"), "\(refused.status)")
        }
    }

    @Test("behind a trusted proxy, two forwarded clients are counted apart: one at its limit, the other still signs in")
    func separateCounts() async throws {
        let service = try await Self.service(trusting: try Self.proxies("127.0.0.1/32"))
        try await ConsoleSignInTests.withLiveService(service) { console in
            let form = try await console.signInForm()
            try await Self.failTwentyTimes(console, form) { _ in "198.51.100.1" }
            let locked = try await console.signIn(form, email: "designer@acme.example", password: ConsoleSignInTests.password, forwardedFor: "198.51.100.1")
            #expect(locked.status == .tooManyRequests && locked.text.contains("from your network address"), "\(locked.status)")
            let other = try await console.signIn(form, email: "designer@acme.example", password: ConsoleSignInTests.password, forwardedFor: "198.51.100.2")
            #expect(other.status == .seeOther, "\(other.status)")
        }
    }

    @Test("behind a trusted proxy, a client that forges left-most X-Forwarded-For entries is still counted by the address the proxy appended")
    func forgedLeftMost() async throws {
        let service = try await Self.service(trusting: try Self.proxies("127.0.0.1/32"))
        try await ConsoleSignInTests.withLiveService(service) { console in
            let form = try await console.signInForm()
            try await Self.failTwentyTimes(console, form) { "203.0.113.\($0 + 1), 198.51.100.1" }
            let refused = try await console.signIn(form, email: "designer@acme.example", password: ConsoleSignInTests.password,
                                                   forwardedFor: "192.0.2.99, 198.51.100.1")
            #expect(refused.status == .tooManyRequests, "\(refused.status)")
            // And the other way: another client writing the locked one's address on the left is counted as itself.
            let other = try await console.signIn(form, email: "designer@acme.example", password: ConsoleSignInTests.password,
                                                 forwardedFor: "198.51.100.1, 198.51.100.2")
            #expect(other.status == .seeOther, "\(other.status)")
        }
    }

    @Test("a peer outside the trusted ranges cannot set its address: its X-Forwarded-For is ignored")
    func untrustedPeer() async throws {
        // The tests connect from 127.0.0.1, which is outside these ranges.
        let service = try await Self.service(trusting: try Self.proxies("10.0.0.0/8", "::1/128"))
        try await ConsoleSignInTests.withLiveService(service) { console in
            let form = try await console.signInForm()
            try await Self.failTwentyTimes(console, form) { "198.51.100.\($0 + 1)" }
            let refused = try await console.signIn(form, email: "designer@acme.example", password: ConsoleSignInTests.password, forwardedFor: "192.0.2.200")
            #expect(refused.status == .tooManyRequests && refused.text.contains("from your network address"), "\(refused.status)")
        }
    }
}

extension LiveConsole {
    /// A sign-in to Acme as a browser behind a proxy sends it: the proxy's X-Forwarded-For beside the form.
    func signIn(_ form: Form, email: String, password: String, forwardedFor: String) async throws -> APIClient.Answer {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = [("csrf", form.token), ("organization", "Acme"), ("email", email), ("password", password)]
            .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        var headers: HTTPFields = [.cookie: form.cookie, .contentType: "application/x-www-form-urlencoded"]
        headers[SignInThrottle.forwardedFor] = forwardedFor
        return try await send("/console/sign-in", method: .post, headers: headers, body: body)
    }
}
