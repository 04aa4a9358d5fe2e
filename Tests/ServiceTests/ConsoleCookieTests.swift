import Foundation
import Hummingbird
import QlikConnections
import Testing
@testable import Service
import UseCases

/// Every console cookie keeps the attributes it had when the console wrote them by hand; Hummingbird's `Cookie` writes
/// them in any order, so they are compared as a set.
@Suite("Console cookies: written by Hummingbird's Cookie with their attributes unchanged")
struct ConsoleCookieTests {
    static func parts(_ cookie: Cookie) -> Set<String> {
        Set(cookie.description.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    @Test("the session cookie: Path=/console, 8 hours, HttpOnly, Secure, SameSite=Strict, and nothing else")
    func session() {
        let secret = OpaqueToken.generate(.session)
        #expect(Self.parts(ConsoleSession.cookie(secret))
                == ["qc_session=\(secret.text)", "Path=/console", "Max-Age=28800", "HttpOnly", "Secure", "SameSite=Strict"])
    }

    @Test("signing out sends the session cookie empty with Max-Age=0 and the same scope")
    func signOut() {
        #expect(Self.parts(ConsoleSession.expiredCookie) == ["qc_session=", "Path=/console", "Max-Age=0", "HttpOnly", "Secure", "SameSite=Strict"])
    }

    @Test("the sign-in form's cookie: __Host- so Path=/, 2 hours, HttpOnly, Secure, SameSite=Strict")
    func signInToken() {
        let token = OpaqueToken.generate(.session)
        #expect(Self.parts(SignInToken.cookie(token))
                == ["__Host-qc_sign_in=\(token.text)", "Path=/", "Max-Age=7200", "HttpOnly", "Secure", "SameSite=Strict"])
    }

    @Test("the remembered organization: percent-encoded outside A-Z a-z 0-9 - . _ ~, Path=/console, a year, HttpOnly, Secure, SameSite=Strict")
    func organization() throws {
        let cookie = OrganizationCookie.cookie(try OrganizationName("Zürich Sales, Nord"))
        #expect(Self.parts(cookie) == ["qc_org=Z%C3%BCrich%20Sales%2C%20Nord", "Path=/console", "Max-Age=31536000", "HttpOnly", "Secure",
                                        "SameSite=Strict"])
    }

    @Test("a session cookie that has no session secret's shape is no session: the page sends to sign-in")
    func strangeSessionCookie() async throws {
        let harness = try await ServiceHarness.make(.sqlite)
        try await harness.withClient { api in
            let browser = Browser(api: api)
            browser.cookie = "qc_session=not-a-secret"
            let answer = try await browser.get("/console")
            #expect(answer.status == .seeOther && answer.headers[.location] == "/console/sign-in")
        }
    }
}
