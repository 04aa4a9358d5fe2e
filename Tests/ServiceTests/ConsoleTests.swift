import Foundation
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import QlikCloudSandbox
import QlikConnections
import Repository
import Testing
@testable import Service

/// The console through its HTML forms, as a browser without JavaScript uses it.
@Suite("The web console: sign-in, sessions, CSRF, the New connection page, Test Connection, edit and delete")
struct ConsoleTests {
    static let password = "correct horse battery staple"

    /// A harness whose designer has a password, and a client that keeps the session cookie.
    static func signedIn(_ api: APIClient, _ harness: ServiceHarness, who: String = "designer") async throws -> Browser {
        let browser = Browser(api: api)
        let answer = try await browser.signIn("Acme", "\(who)@acme.example", Self.password)
        #expect(answer.status == .seeOther && answer.headers[.location] == "/console")
        let cookie = try #require(answer.headers[.setCookie])
        #expect(cookie.hasPrefix(ConsoleSession.cookieName + "="))
        #expect(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/console"))
        return browser
    }

    static func withPasswords() async throws -> ServiceHarness {
        let harness = try await ServiceHarness.make()
        let hash = Bcrypt.hash(password, cost: 4)
        for who in ["admin", "designer", "viewer"] {
            guard let user = harness.people[who]?.user else { continue }
            try await harness.repository.updateUser(user, passwordHash: hash, by: AuditActor("test"))
        }
        return harness
    }

    @Test("a console page without a session redirects to sign-in")
    func anonymousIsRedirected() async throws {
        let harness = try await Self.withPasswords()
        let redirected = try await harness.withClient { api in try await Browser(api: api).get("/console") }
        #expect(redirected.status == .seeOther && redirected.headers[.location] == "/console/sign-in")
    }

    @Test("the sign-in form labels the organization, email and password fields")
    func signInFormIsLabelled() async throws {
        let harness = try await Self.withPasswords()
        let form = try await harness.withClient { api in try await Browser(api: api).get("/console/sign-in") }
        #expect(form.status == .ok && form.text.contains(#"<label for="organization">"#) && form.text.contains(#"<label for="email">"#)
                && form.text.contains(#"<label for="password">"#))
    }

    @Test("a wrong password and an unknown address are refused alike")
    func refusedAlike() async throws {
        let harness = try await Self.withPasswords()
        let (wrong, unknown) = try await harness.withClient { api in
            let anonymous = Browser(api: api)
            return (try await anonymous.signIn("Acme", "designer@acme.example", "wrong password!!"),
                    try await anonymous.signIn("Acme", "nobody@acme.example", "wrong password!!"))
        }
        #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
        #expect(wrong.text.contains(Console.refusal) && unknown.text.contains(Console.refusal))
    }

    @Test("five failures lock the address, even for the right password, with Retry-After")
    func fiveFailuresThrottle() async throws {
        let harness = try await Self.withPasswords()
        let throttled = try await harness.withClient { api in
            let anonymous = Browser(api: api)
            for _ in 0..<5 { try await anonymous.signIn("Acme", "viewer@acme.example", "not it at all") }
            return try await anonymous.signIn("Acme", "viewer@acme.example", Self.password)
        }
        #expect(throttled.status == .tooManyRequests && throttled.headers[.retryAfter] != nil)
    }

    @Test("sign-in sets a Secure HttpOnly SameSite=Strict session cookie, and the console's pages open with it")
    func signInOpensPages() async throws {
        let harness = try await Self.withPasswords()
        let list = try await harness.withClient { api in try await Self.signedIn(api, harness).get("/console") }
        #expect(list.status == .ok && list.text.contains("Connections") && list.text.contains("designer@acme.example"))
        #expect(list.headers[.contentType]?.hasPrefix("text/html") == true)
    }

    @Test("signing out ends the session on the server, not only in the browser")
    func signOutEndsSession() async throws {
        let harness = try await Self.withPasswords()
        try await harness.withClient { api in
            let browser = try await Self.signedIn(api, harness)
            let list = try await browser.get("/console")
            let csrf = try #require(browser.csrf(in: list.text))
            #expect(try await browser.post("/console/sign-out", ["csrf": csrf]).headers[.location] == "/console/sign-in")
            #expect(try await browser.get("/console").status == .seeOther)
        }
    }

    @Test("New connection: laid out as the seed page, errors at their fields with the rules beside them, then created; secrets never shown again")
    func newConnection() async throws {
        let harness = try await Self.withPasswords()
        let planted = "console-planted-\(UUID().uuidString)"
        try await harness.withClient { api in
            let browser = try await Self.signedIn(api, harness)
            let form = try await browser.get("/console/connections/new")
            let html = form.text
            for label in ["Connection Name", "Description", "Runtime Environment", "Authentication type", "API Key", "OAuth 2.0", "Base URL", "Access Token", "Client ID", "Client Secret"] {
                #expect(html.contains(label), "the form shows \(label)")
            }
            #expect(!html.contains("Use Secret Vault"), "Use Secret Vault appears only when the organization has a secrets manager")
            #expect(html.contains("https://&lt;your-tenant-id&gt;.&lt;region&gt;.qlikcloud.com"))
            let csrf = try #require(browser.csrf(in: html))
            // Without the CSRF token nothing is created.
            let forged = try await browser.post("/console/connections", ["name": "Forged", "authenticationType": "api-key", "baseURL": "https://acme.eu.qlikcloud.com",
                                                                         "accessToken": "x", "runtimeEnvironment": "Serverless"])
            #expect(forged.status == .forbidden)
            let bad = try await browser.post("/console/connections", ["csrf": csrf, "name": "Sales EU", "runtimeEnvironment": "Serverless",
                                                                      "authenticationType": "api-key", "baseURL": "http://acme.eu.qlikcloud.com/hub", "accessToken": planted])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains(#"id="baseURL-error""#) && bad.text.contains(#"aria-invalid="true""#) && bad.text.contains(##"href="#baseURL""##))
            #expect(bad.text.contains(#"value="Sales EU""#), "what was typed stays")
            #expect(!bad.text.contains(planted), "a typed secret is never sent back")
            let created = try await browser.post("/console/connections", ["csrf": csrf, "name": "Sales EU", "description": "EU <b>tenant</b>", "runtimeEnvironment": "Serverless",
                                                                          "authenticationType": "api-key", "baseURL": "https://acme.eu.qlikcloud.com", "accessToken": planted,
                                                                          "clientSecret": "ignored because hidden"])
            #expect(created.status == .seeOther && created.headers[.location]?.hasPrefix("/console/connections/Sales%20EU") == true)
            let shown = try await browser.get("/console/connections/Sales%20EU")
            #expect(shown.text.contains("EU &lt;b&gt;tenant&lt;/b&gt;"), "typed text is escaped")
            #expect(shown.text.contains("Stored, sealed (never shown)") && !shown.text.contains(planted))
            let edit = try await browser.get("/console/connections/Sales%20EU/edit")
            #expect(edit.text.contains("A value is stored: leave this empty to keep it.") && !edit.text.contains(planted))
            let duplicate = try await browser.post("/console/connections", ["csrf": csrf, "name": "sales eu", "runtimeEnvironment": "Serverless",
                                                                            "authenticationType": "api-key", "baseURL": "https://acme.eu.qlikcloud.com", "accessToken": "t"])
            #expect(duplicate.status == .conflict && duplicate.text.contains(#"id="name-error""#))
            let viewer = try await Self.signedIn(api, harness, who: "viewer")
            #expect(try await viewer.get("/console/connections/new").status == .forbidden)
            #expect(!(try await viewer.get("/console").text.contains("New connection")))
        }
    }

    /// A signed-in designer with an OAuth 2.0 connection "Sandbox" to a running sandbox, made through the console's form.
    static func withSandboxConnection(_ body: @escaping @Sendable (ServiceHarness, Browser, String, SandboxCredentials) async throws -> Void) async throws {
        let harness = try await Self.withPasswords()
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(port: 0))
        try await sandbox.withRunning { tenant in
            try await harness.withClient { api in
                let browser = try await Self.signedIn(api, harness)
                let csrf = try #require(browser.csrf(in: try await browser.get("/console/connections/new").text))
                try await browser.post("/console/connections", ["csrf": csrf, "name": "Sandbox", "runtimeEnvironment": "Serverless", "authenticationType": "oauth2",
                                                                "baseURL": tenant.baseURL, "clientID": tenant.clientID, "clientSecret": tenant.clientSecret])
                try await body(harness, browser, csrf, tenant)
            }
        }
    }

    @Test("Test Connection from the console shows each step, and the list shows the connection passed")
    func testShowsEachStep() async throws {
        try await Self.withSandboxConnection { _, browser, csrf, _ in
            let tested = try await browser.post("/console/connections/Sandbox/test", ["csrf": csrf])
            #expect(tested.text.contains("Test Connection: <span class=\"badge ok\">Passed</span>"), "\(tested.text.suffix(2000))")
            #expect(tested.text.contains("OAuth token exchange") && tested.text.contains("Authenticated call"))
            let list = try await browser.get("/console")
            #expect(list.text.contains("Sandbox") && list.text.contains("Passed") && list.text.contains("OAuth 2.0"))
        }
    }

    @Test("editing with the secret fields left empty keeps the stored client id and secret")
    func editKeepsSecret() async throws {
        try await Self.withSandboxConnection { _, browser, csrf, tenant in
            let edited = try await browser.post("/console/connections/Sandbox/edit", ["csrf": csrf, "name": "Sandbox", "description": "kept secret",
                                                                                     "runtimeEnvironment": "Serverless", "authenticationType": "oauth2",
                                                                                     "baseURL": tenant.baseURL, "clientID": "", "clientSecret": ""])
            #expect(edited.status == .seeOther)
            let again = try await browser.post("/console/connections/Sandbox/test", ["csrf": csrf])
            #expect(again.text.contains("badge ok\">Passed"), "the stored client id and secret were kept")
        }
    }

    @Test("each Test Connection runs as a task: listed with its state, its page shows what it logged and its result, never a secret")
    func testRunsAsTask() async throws {
        try await Self.withSandboxConnection { harness, browser, csrf, tenant in
            for _ in 0..<2 { try await browser.post("/console/connections/Sandbox/test", ["csrf": csrf]) }
            let tasks = try await browser.get("/console/tasks")
            #expect(tasks.status == .ok && tasks.text.components(separatedBy: "badge ok\">succeeded").count == 3, "\(tasks.text.suffix(1500))")
            let id = try #require(try await harness.repository.tasks(of: harness.acme.id, limit: 1).first?.id)
            let task = try await browser.get("/console/tasks/\(id)")
            #expect(task.text.contains("Testing connection &#39;Sandbox&#39;") || task.text.contains("Testing connection 'Sandbox'"), "\(task.text.suffix(1500))")
            #expect(task.text.contains("<h2>Result</h2>") && task.text.contains("OAuth token exchange") && !task.text.contains(tenant.clientSecret),
                    "the page shows the task's result (the report), never a secret")
        }
    }

    @Test("the agents page of an organization with none says so")
    func agentsPageEmpty() async throws {
        let harness = try await Self.withPasswords()
        let agents = try await harness.withClient { api in try await Self.signedIn(api, harness).get("/console/agents") }
        #expect(agents.text.contains("No agents yet"))
    }

    @Test("delete asks first, then deletes: the connection's page is gone")
    func deleteAsksFirst() async throws {
        try await Self.withSandboxConnection { _, browser, csrf, _ in
            let confirm = try await browser.get("/console/connections/Sandbox/delete")
            #expect(confirm.text.contains("Delete Sandbox?") && confirm.text.contains("cannot be undone"))
            let deleted = try await browser.post("/console/connections/Sandbox/delete", ["csrf": csrf])
            #expect(deleted.text.contains("Deleted connection &#39;Sandbox&#39;.") || deleted.text.contains("Deleted connection 'Sandbox'."), "\(deleted.text.suffix(1500))")
            #expect(try await browser.get("/console/connections/Sandbox").status == .notFound)
        }
    }
}

/// A browser without JavaScript: forms posted as application/x-www-form-urlencoded, one cookie kept.
final class Browser: @unchecked Sendable {
    let api: APIClient
    var cookie: String?

    init(api: APIClient) { self.api = api }

    @discardableResult
    func get(_ path: String) async throws -> APIClient.Answer {
        try await api.client.execute(uri: path, method: .get, headers: headers(), body: nil) { Self.answer($0) }
    }

    @discardableResult
    func post(_ path: String, _ form: [String: String]) async throws -> APIClient.Answer {
        var headers = headers()
        headers[.contentType] = "application/x-www-form-urlencoded"
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        return try await api.client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) { Self.answer($0) }
    }

    func headers() -> HTTPFields {
        var headers = HTTPFields()
        if let cookie { headers[.cookie] = cookie }
        return headers
    }

    static func answer(_ response: TestResponse) -> APIClient.Answer {
        APIClient.Answer(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// The CSRF token a page's forms carry.
    func csrf(in html: String) -> String? { Self.csrfToken(in: html) }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Signs in through the form as a browser does: the page first (its cookie and CSRF token), then the post;
    /// keeps the session cookie when it is signed in.
    @discardableResult
    func signIn(_ organization: String, _ email: String, _ password: String) async throws -> APIClient.Answer {
        let page = try await get("/console/sign-in")
        if let set = page.headers[.setCookie] { cookie = String(set.prefix { $0 != ";" }) }
        let answer = try await post("/console/sign-in", ["csrf": csrf(in: page.text) ?? "", "organization": organization, "email": email,
                                                       "password": password])
        if answer.status == .seeOther, let set = answer.headers[.setCookie] { cookie = String(set.prefix { $0 != ";" }) }
        return answer
    }
}
