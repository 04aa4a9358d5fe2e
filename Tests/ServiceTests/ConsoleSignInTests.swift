import Foundation
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import Logging
import NIOCore
import QlikConnections
import Repository
import Secrets
import Testing
import TestRepositories
@testable import Service
import UseCases

/// Signing in to the console under attack: attempts counted before the password
/// check (per e-mail address, per client address, across replicas), and the
/// form's CSRF token.
@Suite("Console sign-in: throttling that holds under concurrency and across replicas; the form's CSRF token")
struct ConsoleSignInTests {
    static let password = "correct horse battery staple"

    /// A harness whose designer and viewer have a password; bcrypt at cost 8 so that a check takes a while, as in service.
    static func harness(_ backend: RepositoryBackend = .sqlite) async throws -> ServiceHarness {
        let harness = try await ServiceHarness.make(backend)
        let hash = Bcrypt.hash(password, cost: 8)
        for who in ["designer", "viewer"] {
            guard let user = harness.people[who]?.user else { continue }
            try await harness.repository.updateUser(user, passwordHash: hash, by: AuditActor("test"))
        }
        return harness
    }

    /// Runs the service on a loopback port, so that requests come over TCP, each on its own connection.
    static func withLiveService<T: Sendable>(_ service: ConnectorService, _ body: @escaping @Sendable (LiveConsole) async throws -> T) async throws -> T {
        let (ready, announce) = AsyncStream.makeStream(of: Int.self)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await service.application(host: "127.0.0.1", port: 0) { announce.yield($0) }.runService()
                return nil
            }
            var ports = ready.makeAsyncIterator()
            guard let port = await ports.next() else { throw APIError.notFound("the service's port") }
            let result = try await body(LiveConsole(port: port))
            group.cancelAll()
            return result
        }
    }

    @Test("the attack: 30 simultaneous wrong passwords for one address, each on its own connection: 5 reach the password check (401), 25 are refused (429)",
          arguments: RepositoryBackend.allCases)
    func concurrentWrongPasswords(_ backend: RepositoryBackend) async throws {
        let harness = try await Self.harness(backend)
        try await Self.withLiveService(harness.service) { console in
            let form = try await console.signInForm()
            let answers = try await console.concurrently(30) { _ in
                try await console.signIn(form, organization: "Acme", email: "designer@acme.example", password: "not the password")
            }
            #expect(answers.filter { $0.status == .unauthorized }.count == 5, "\(answers.map(\.status.code))")
            #expect(answers.filter { $0.status == .tooManyRequests }.count == 25, "\(answers.map(\.status.code))")
            for refused in answers where refused.status == .tooManyRequests {
                #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 > 800)
                #expect(refused.text.contains("Too many failed sign-ins for this e-mail address. Try again in 15 minute(s), after "))
            }
        }
        #expect(harness.logs.text.components(separatedBy: "console sign-in refused [").count - 1 == 5, "only five attempts reached the password check")
    }

    @Test("the right password among 30 simultaneous tries, once the address reached its limit, does not sign in", arguments: RepositoryBackend.allCases)
    func rightPasswordAfterLimit(_ backend: RepositoryBackend) async throws {
        let harness = try await Self.harness(backend)
        try await Self.withLiveService(harness.service) { console in
            let form = try await console.signInForm()
            for _ in 0..<5 { #expect(try await console.signIn(form, organization: "Acme", email: "designer@acme.example", password: "wrong").status == .unauthorized) }
            let answers = try await console.concurrently(30) { index in
                try await console.signIn(form, organization: "Acme", email: "Designer@Acme.example", password: index == 17 ? Self.password : "still wrong")
            }
            #expect(answers.allSatisfy { $0.status == .tooManyRequests }, "\(answers.map(\.status.code))")
            #expect(!answers.contains { $0.headers[.setCookie]?.contains(ConsoleSession.cookieName) == true }, "no session was issued")
        }
    }

    @Test("twenty failures from one client address, on twenty e-mail addresses, refuse the next address from it even with the right password")
    func perClientAddress() async throws {
        let harness = try await Self.harness()
        try await Self.withLiveService(harness.service) { console in
            let form = try await console.signInForm()
            let answers = try await console.concurrently(20) { index in
                try await console.signIn(form, organization: "Acme", email: "someone\(index)@acme.example", password: "guess")
            }
            #expect(answers.allSatisfy { $0.status == .unauthorized })
            let refused = try await console.signIn(form, organization: "Acme", email: "designer@acme.example", password: Self.password)
            #expect(refused.status == .tooManyRequests && refused.text.contains("Too many failed sign-ins from your network address."))
        }
    }

    @Test("a success forgets the address's failures and gives its client's attempt back")
    func successResets() async throws {
        let harness = try await Self.harness()
        try await Self.withLiveService(harness.service) { console in
            let form = try await console.signInForm()
            for _ in 0..<4 { #expect(try await console.signIn(form, organization: "Acme", email: "viewer@acme.example", password: "wrong").status == .unauthorized) }
            #expect(try await console.signIn(form, organization: "Acme", email: "viewer@acme.example", password: Self.password).status == .seeOther)
            for _ in 0..<4 { #expect(try await console.signIn(form, organization: "Acme", email: "viewer@acme.example", password: "wrong").status == .unauthorized) }
            #expect(try await console.signIn(form, organization: "Acme", email: "viewer@acme.example", password: Self.password).status == .seeOther)
        }
    }

    @Test("two replicas on one database share the count: three failures on one and two on the other lock the address on both",
          arguments: RepositoryBackend.allCases)
    func replicasShareTheCount(_ backend: RepositoryBackend) async throws {
        let harness = try await Self.harness(backend)
        let second = try await harness.store.reopen()
        let replica = ConnectorService(repository: second, keyring: Keyring(active: MasterKey.generate()), logger: Logger(label: "replica") { _ in SwiftLogNoOpLogHandler() },
                                       passwords: PasswordHasher(cost: 4))
        try await Self.withLiveService(harness.service) { first in
            try await Self.withLiveService(replica) { other in
                let form = try await first.signInForm()
                for _ in 0..<3 { #expect(try await first.signIn(form, organization: "Acme", email: "viewer@acme.example", password: "wrong").status == .unauthorized) }
                for _ in 0..<2 { #expect(try await other.signIn(form, organization: "Acme", email: "viewer@acme.example", password: "wrong").status == .unauthorized) }
                #expect(try await first.signIn(form, organization: "Acme", email: "viewer@acme.example", password: Self.password).status == .tooManyRequests)
                #expect(try await other.signIn(form, organization: "Acme", email: "viewer@acme.example", password: Self.password).status == .tooManyRequests)
            }
        }
        await second.close()
    }

    @Test("login CSRF: a post without the form's token (as a cross-site form sends it) is refused with 403 even with the right password; with it, signed in")
    func signInNeedsTheFormToken() async throws {
        let harness = try await Self.harness()
        try await harness.withClient { api in
            let page = try await api.client.execute(uri: "/console/sign-in", method: .get) { Browser.answer($0) }
            let cookie = try #require(page.headers[.setCookie])
            // Attributes in any order: Hummingbird writes them from a dictionary.
            let attributes = Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(cookie.hasPrefix("__Host-qc_sign_in=") && attributes.isSuperset(of: ["Path=/", "HttpOnly", "Secure", "SameSite=Strict"]), "\(cookie)")
            let browser = Browser(api: api)
            let token = try #require(browser.csrf(in: page.text))
            #expect(cookie.hasPrefix("__Host-qc_sign_in=\(token);"), "the form and the cookie carry the same token")
            // A cross-site form: no cookie (SameSite=Strict keeps it home), no token.
            let forged = try await browser.post("/console/sign-in", ["organization": "Acme", "email": "designer@acme.example", "password": Self.password])
            #expect(forged.status == .forbidden && forged.text.contains("security token is missing or does not match"))
            #expect(forged.headers[.setCookie]?.contains(ConsoleSession.cookieName) != true, "no session")
            // The cookie alone, or a token that is not the cookie's, is not enough either.
            browser.cookie = String(cookie.prefix { $0 != ";" })
            #expect(try await browser.post("/console/sign-in", ["organization": "Acme", "email": "designer@acme.example", "password": Self.password]).status == .forbidden)
            #expect(try await browser.post("/console/sign-in", ["csrf": OpaqueToken.generate(.session).text, "organization": "Acme", "email": "designer@acme.example",
                                                                "password": Self.password]).status == .forbidden)
            let signedIn = try await browser.post("/console/sign-in", ["csrf": token, "organization": "Acme", "email": "designer@acme.example", "password": Self.password])
            #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/console")
            #expect(signedIn.headers[.setCookie]?.hasPrefix(ConsoleSession.cookieName + "=") == true)
            // The page served again to the same browser keeps its token, so two open tabs both work.
            let again = try await browser.get("/console/sign-in")
            #expect(browser.csrf(in: again.text) == token)
        }
        #expect(!harness.logs.text.contains("console sign-in refused ["), "refused forgeries never reached the password check")
    }

    @Test("client addresses: IPv4 as it is, IPv6 by its /64, IPv4-mapped IPv6 as IPv4, a Unix socket not counted")
    func clientKeys() throws {
        #expect(SignInThrottle.clientKey(try SocketAddress(ipAddress: "203.0.113.7", port: 5000)) == "client:203.0.113.7")
        #expect(SignInThrottle.clientKey(try SocketAddress(ipAddress: "2001:db8:1:2:aaaa:bbbb:cccc:dddd", port: 5000)) == "client:2001:db8:1:2::/64")
        #expect(SignInThrottle.clientKey(try SocketAddress(ipAddress: "2001:db8:1:2::9", port: 1)) == "client:2001:db8:1:2::/64")
        #expect(SignInThrottle.clientKey(try SocketAddress(ipAddress: "::ffff:198.51.100.4", port: 1)) == "client:198.51.100.4")
        #expect(SignInThrottle.clientKey(try SocketAddress(unixDomainSocketPath: "/tmp/qc.sock")) == nil)
    }
}

/// The console over TCP, one connection per request, as many browsers at once.
struct LiveConsole: Sendable {
    let port: Int

    struct Form: Sendable {
        let cookie: String
        let token: String
    }

    func send(_ path: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: String? = nil) async throws -> APIClient.Answer {
        try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            let response = try await client.execute(TestClient.Request(path, method: method, authority: "127.0.0.1", headers: headers,
                                                                       body: body.map { ByteBuffer(string: $0) }))
            return APIClient.Answer(status: response.status, headers: response.headers, text: response.body.map { String(buffer: $0) } ?? "")
        }
    }

    /// The sign-in page's cookie and token, as a browser keeps them.
    func signInForm() async throws -> Form {
        let page = try await send("/console/sign-in", method: .get)
        let cookie = try #require(page.headers[.setCookie]).prefix { $0 != ";" }
        let token = try #require(Browser.csrfToken(in: page.text))
        return Form(cookie: String(cookie), token: token)
    }

    func signIn(_ form: Form, organization: String, email: String, password: String) async throws -> APIClient.Answer {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = [("csrf", form.token), ("organization", organization), ("email", email), ("password", password)]
            .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        return try await send("/console/sign-in", method: .post, headers: [.cookie: form.cookie, .contentType: "application/x-www-form-urlencoded"], body: body)
    }

    /// `count` calls started together; their answers in any order.
    func concurrently(_ count: Int, _ call: @escaping @Sendable (Int) async throws -> APIClient.Answer) async throws -> [APIClient.Answer] {
        try await withThrowingTaskGroup(of: APIClient.Answer.self) { group in
            for index in 0..<count { group.addTask { try await call(index) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }
}
