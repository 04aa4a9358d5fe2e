import Foundation
import HTTPTypes
import HummingbirdBcrypt
import QlikConnections
import Repository
import Testing
import TestRepositories
@testable import Service

/// Console sign-in names the organization: the account is looked up in it only, so nothing about one organization
/// (whether an address has an account there, what its password is) can be learnt by signing in to another.
@Suite("Console sign-in names the organization: no answer depends on another organization's accounts")
struct SignInOrganizationTests {
    static let bobsPassword = "bob's password in Other"

    /// What a browser can tell of a sign-in answer: status, where it goes, which cookies it sets (not their random values;
    /// qc_org's attributes sorted, as Hummingbird writes them in any order) and the page, with the form's random token blanked.
    static func seen(_ answer: APIClient.Answer) -> String {
        let cookies = answer.headers[values: .setCookie].map { cookie in
            cookie.hasPrefix("qc_org=") ? cookie.split(separator: "; ").sorted().joined(separator: "; ") : String(cookie.prefix { $0 != "=" })
        }
        let page = answer.text.replacing(/name="csrf" value="[^"]*"/, with: #"name="csrf" value="""#)
        return "\(answer.status.code) \(answer.headers[.location] ?? "-") \(cookies.sorted()) \(page)"
    }

    /// The value the page's Organization field is filled with.
    static func prefilled(_ page: APIClient.Answer) -> String? {
        page.text.firstMatch(of: /id="organization" name="organization" value="([^"]*)"/).map { String($0.1) }
    }

    @Test("the attack: Acme's admin gives Acme's own account with Other's admin's address each guess as its password and signs in to it: every answer is the same whether the guess is the Other account's password or not; each account opens only with its own organization and password",
          arguments: RepositoryBackend.allCases)
    func passwordOracle(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        let bob = try #require(harness.people["otherAdmin"]?.user)
        try await harness.repository.updateUser(bob, passwordHash: Bcrypt.hash(Self.bobsPassword, cost: 4), by: AuditActor("test"))
        try await harness.withClient { api in
            let admin = harness.token("admin")
            let created = try await api.call(.post, "/api/v1/users", token: admin,
                                             json: ["email": bob.email.value, "role": "viewer", "password": "the copy's first password"])
            let copy = try #require(created.object["id"] as? String, "\(created.text)")
            var answers: [String: String] = [:]
            for guess in ["a first wrong guess", Self.bobsPassword, "a last wrong guess"] {
                #expect(try await api.call(.patch, "/api/v1/users/\(copy)", token: admin, json: ["password": guess]).status == .ok)
                answers[guess] = Self.seen(try await Browser(api: api).signInThroughForm(organization: "Acme", email: bob.email.value, password: guess))
            }
            #expect(Set(answers.values).count == 1, "the answers differ by guess: \(answers)")
            #expect(answers[Self.bobsPassword]?.hasPrefix("303 /console") == true, "each guess signs in to Acme's own account: \(answers)")

            // The copy holds the last guess now; Bob's own password (even once the copy had it) still opens his account in Other.
            let bobSignsIn = Browser(api: api)
            #expect(try await bobSignsIn.signInThroughForm(organization: "Other", email: bob.email.value, password: Self.bobsPassword).status == .seeOther)
            #expect(try await bobSignsIn.get("/console/connections/new").status == .ok, "Other's admin, not Acme's viewer")
            let anyCase = Browser(api: api)
            #expect(try await anyCase.signInThroughForm(organization: " oTHER ", email: bob.email.value.uppercased(), password: Self.bobsPassword).status == .seeOther,
                    "the organization is compared as organization names are, the address without regard to case")
            #expect(try await Browser(api: api).signInThroughForm(organization: "Acme", email: bob.email.value, password: Self.bobsPassword).status
                    == .unauthorized, "Bob's password does not open Acme's account")
            #expect(try await Browser(api: api).signInThroughForm(organization: "Other", email: bob.email.value, password: "a last wrong guess").status
                    == .unauthorized, "the copy's password does not open Bob's account")
            let copySignsIn = Browser(api: api)
            #expect(try await copySignsIn.signInThroughForm(organization: "Acme", email: bob.email.value, password: "a last wrong guess").status == .seeOther)
            #expect(try await copySignsIn.get("/console/connections/new").status == .forbidden, "Acme's viewer")
        }
    }

    @Test("a wrong organization, one that does not exist, a name that is not one, an unknown address and a wrong password answer the same 401 with the same page",
          arguments: RepositoryBackend.allCases)
    func sameRefusal(_ backend: RepositoryBackend) async throws {
        let harness = try await ConsoleSignInTests.harness(backend)
        let right = ConsoleSignInTests.password
        try await harness.withClient { api in
            let attempts: [(String, String, String, String)] = [
                ("wrong organization", "Other", "designer@acme.example", right),
                ("no such organization", "Nobody Has This", "designer@acme.example", right),
                ("not an organization name", "💥 <Acme>", "viewer@acme.example", right),
                ("no organization", "", "viewer@acme.example", right),
                ("unknown address", "Acme", "nobody@acme.example", right),
                ("wrong password", "Acme", "designer@acme.example", "not the password")]
            var pages: [String: String] = [:]
            for (what, organization, email, password) in attempts {
                let answer = try await Browser(api: api).signInThroughForm(organization: organization, email: email, password: password)
                #expect(answer.status == .unauthorized, "\(what): \(answer.status)")
                #expect(answer.text.contains("The organization, the e-mail address or the password is wrong."), "\(what): \(answer.text)")
                #expect(answer.headers[values: .setCookie].allSatisfy { $0.hasPrefix(SignInToken.cookieName + "=") }, "\(what): no session, nothing remembered")
                // The page shows again what was typed (escaped); with that taken out, every refusal is the same page.
                pages[what] = Self.seen(answer).replacing(/id="(organization|email)" name="(organization|email)" value="[^"]*"/, with: "typed")
            }
            #expect(Set(pages.values).count == 1, "the refusals differ: \(pages)")
            #expect(pages.values.first?.contains("typed") == true)
        }
    }

    @Test("failures count per e-mail address whichever organization they name: five naming Acme, Other and one that does not exist lock the address in Acme, even with the right password")
    func throttledAcrossOrganizations() async throws {
        let harness = try await ConsoleSignInTests.harness()
        try await harness.withClient { api in
            for organization in ["Acme", "Other", "Nobody Has This", "other", "ACME"] {
                let answer = try await Browser(api: api).signInThroughForm(organization: organization, email: "Designer@acme.example", password: "a guess")
                #expect(answer.status == .unauthorized, "\(organization): \(answer.status)")
            }
            let locked = try await Browser(api: api).signInThroughForm(organization: "Acme", email: "designer@acme.example", password: ConsoleSignInTests.password)
            #expect(locked.status == .tooManyRequests && locked.text.contains("Too many failed sign-ins for this e-mail address."), "\(locked.status)")
        }
    }

    @Test("the page prefills the organization from ?organization=, else from the qc_org cookie a successful sign-in sets (SameSite=Strict, Path=/console); the query wins; anything that is not an organization name is not shown")
    func prefill() async throws {
        let harness = try await ConsoleSignInTests.harness()
        let zurich = Organization(name: try OrganizationName("Zürich Sales, Nord"))
        try await harness.repository.createOrganization(zurich, by: AuditActor("test"))
        let ada = User(organizationID: zurich.id, email: try EmailAddress("ada@zurich.example"), displayName: "Ada", role: .viewer)
        try await harness.repository.createUser(ada, passwordHash: Bcrypt.hash(ConsoleSignInTests.password, cost: 4), by: AuditActor("test"))
        try await harness.withClient { api in
            let browser = Browser(api: api)
            #expect(Self.prefilled(try await browser.get("/console/sign-in")) == "", "nothing to prefill yet")
            #expect(Self.prefilled(try await browser.get("/console/sign-in?organization=Other")) == "Other")
            #expect(Self.prefilled(try await browser.get("/console/sign-in?organization=Z%C3%BCrich%20Sales%2C%20Nord")) == "Zürich Sales, Nord")
            let hostile = try await browser.get("/console/sign-in?organization=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
            #expect(Self.prefilled(hostile) == "" && !hostile.text.contains("<script>"), "not a name: not shown")

            // A failed sign-in remembers nothing; a successful one remembers the organization as it is named, in any case typed.
            let failed = try await browser.signInThroughForm(organization: "zürich sales, nord", email: "ada@zurich.example", password: "not the password")
            #expect(!failed.headers[values: .setCookie].contains { $0.hasPrefix("qc_org=") })
            let signedIn = try await browser.signInThroughForm(organization: "zürich sales, nord", email: "ada@zurich.example", password: ConsoleSignInTests.password)
            #expect(signedIn.status == .seeOther)
            let remembered = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("qc_org=") })
            #expect(remembered.contains("; Path=/console") && remembered.contains("SameSite=Strict") && remembered.contains("Max-Age="), "\(remembered)")
            let pair = String(remembered.prefix { $0 != ";" })
            #expect(pair == "qc_org=Z%C3%BCrich%20Sales%2C%20Nord", "percent-encoded, so that any organization name is a valid cookie value: \(pair)")

            let returning = Browser(api: api)
            returning.cookie = pair
            #expect(Self.prefilled(try await returning.get("/console/sign-in")) == "Zürich Sales, Nord")
            #expect(Self.prefilled(try await returning.get("/console/sign-in?organization=Acme")) == "Acme", "the administrator's link wins")
            returning.cookie = "qc_org=%3Cb%3E"
            #expect(Self.prefilled(try await returning.get("/console/sign-in")) == "", "a cookie that is not an organization name is not shown")
            // A refusal shows again the organization typed, not the remembered one.
            returning.cookie = pair
            let page = try await returning.get("/console/sign-in")
            returning.cookie = [pair, page.headers[.setCookie].map { String($0.prefix { $0 != ";" }) }].compactMap { $0 }.joined(separator: "; ")
            let refused = try await returning.post("/console/sign-in", ["csrf": returning.csrf(in: page.text) ?? "", "organization": "Acme",
                                                                        "email": "ada@zurich.example", "password": "not the password"])
            #expect(refused.status == .unauthorized && Self.prefilled(refused) == "Acme", "\(refused.status)")
        }
    }
}
