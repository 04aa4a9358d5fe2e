import Foundation
import HummingbirdBcrypt
import QlikConnections
import Repository
import Testing
import TestRepositories
@testable import Service
import UseCases

@Suite("A password change or a disable signs the user out everywhere")
struct SignOutEverywhereTests {
    static let first = "first password of the designer"
    static let second = "second password of the designer"

    /// The designer signed in to the console, with a personal API token issued by the API: (browser, token).
    static func signedInWithToken(_ api: APIClient, _ harness: ServiceHarness, password: String) async throws -> (Browser, String) {
        let browser = Browser(api: api)
        let answer = try await browser.signInThroughForm(organization: "Acme", email: "designer@acme.example", password: password)
        #expect(answer.status == .seeOther && answer.headers[.location] == "/console", "\(answer.status)")
        let designer = try #require(harness.people["designer"]?.user)
        // A token issued the way the CLI does, for the user as stored now.
        let issuer = try await ServiceHarness.token(for: try await harness.repository.user(designer.id, in: harness.acme.id), in: harness.repository, name: "cli")
        let issued = try await api.call(.post, "/api/v1/tokens", token: issuer, json: ["name": "laptop"])
        #expect(issued.status == .created, "\(issued.text)")
        return (browser, try #require(issued.object["token"] as? String))
    }

    static func expectRefused(_ api: APIClient, _ browser: Browser, _ tokens: [String], _ moment: String) async throws {
        let page = try await browser.get("/console")
        #expect(page.status == .seeOther && page.headers[.location] == "/console/sign-in", "console session \(moment): \(page.status)")
        for token in tokens {
            #expect(try await api.call(.get, "/api/v1/me", token: token).status == .unauthorized, "personal API token \(moment)")
        }
    }

    @Test("after a password change, a disable and a re-enable, the console session and personal API tokens from before are refused; a new sign-in works",
          arguments: RepositoryBackend.allCases)
    func passwordChangeDisableReenable(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        let designer = try #require(harness.people["designer"]?.user)
        try await harness.repository.updateUser(designer, passwordHash: Bcrypt.hash(Self.first, cost: 4), by: AuditActor("test"))
        try await harness.withClient { api in
            let admin = harness.token("admin")
            let path = "/api/v1/users/\(designer.id)"
            let (browser, token) = try await Self.signedInWithToken(api, harness, password: Self.first)
            #expect(try await browser.get("/console").status == .ok)
            #expect(try await api.call(.get, "/api/v1/me", token: token).status == .ok)

            // The password changes: what was signed in with the old one stops at the next request.
            #expect(try await api.call(.patch, path, token: admin, json: ["password": Self.second]).status == .ok)
            try await Self.expectRefused(api, browser, [token], "after the password change")
            let listed = try await api.call(.get, "\(path)/tokens", token: admin)
            let tokens = try #require(listed.json as? [[String: Any]])
            #expect(!tokens.isEmpty && tokens.allSatisfy { $0["revokedAt"] is String }, "the list shows them revoked: \(listed.text)")
            let audit = try await api.call(.get, "/api/v1/audit-events?limit=5", token: admin)
            #expect(audit.status == .ok)
            #expect(try await harness.repository.auditEvents(of: harness.acme.id, limit: 5).contains { event in
                event.action == "user.update" && event.changes.contains { $0.field == "signedOut" && $0.new?.contains("2 personal API token(s) revoked, 1 console session(s) ended") == true }
            })

            // A new sign-in works; then a disable ends it, and a re-enable does not revive it.
            let (again, newToken) = try await Self.signedInWithToken(api, harness, password: Self.second)
            #expect(try await again.get("/console").status == .ok)
            #expect(try await api.call(.patch, path, token: admin, json: ["disabled": true]).status == .ok)
            try await Self.expectRefused(api, again, [newToken], "after the disable")
            let whileDisabled = try await Browser(api: api).signInThroughForm(organization: "Acme", email: "designer@acme.example", password: Self.second)
            #expect(whileDisabled.status == .unauthorized)
            #expect(try await api.call(.patch, path, token: admin, json: ["disabled": false]).status == .ok)
            try await Self.expectRefused(api, browser, [token], "from before the password change, after the re-enable")
            try await Self.expectRefused(api, again, [newToken], "from before the disable, after the re-enable")
            let (fresh, freshToken) = try await Self.signedInWithToken(api, harness, password: Self.second)
            #expect(try await fresh.get("/console").status == .ok)
            #expect(try await api.call(.get, "/api/v1/me", token: freshToken).status == .ok)
        }
    }

    @Test("a token or session issued under the credentials as they were before a password change never works, even when written after it",
          arguments: RepositoryBackend.allCases)
    func issuedUnderOldCredentials(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        let repository = harness.repository
        let designer = try #require(harness.people["designer"]?.user)
        // A request authenticated just before the change, finishing just after it: it still holds the user as it was.
        let seenBefore = try await repository.user(designer.id, in: harness.acme.id)
        try await repository.updateUser(seenBefore, passwordHash: Bcrypt.hash(Self.first, cost: 4), by: AuditActor("test"))
        let late = try await ServiceHarness.token(for: seenBefore, in: repository, name: "late")
        #expect(try await repository.principal(forSecretHash: OpaqueToken(late, as: .personal).hash, at: Date()) == nil)
        let secret = OpaqueToken.generate(.session), second = OpaqueToken.generate(.session)
        try await repository.createSession(secretHash: secret.hash, user: seenBefore, csrfToken: "csrf", expiresAt: Date().addingTimeInterval(60))
        #expect(try await repository.session(secretHash: secret.hash, at: Date()) == nil)
        // Issued under the current credentials, both work.
        let current = try await repository.user(designer.id, in: harness.acme.id)
        #expect(current.credentialsEpoch == seenBefore.credentialsEpoch + 1)
        let fresh = try await ServiceHarness.token(for: current, in: repository, name: "fresh")
        #expect(try await repository.principal(forSecretHash: OpaqueToken(fresh, as: .personal).hash, at: Date())?.0.id == designer.id)
        try await repository.createSession(secretHash: second.hash, user: current, csrfToken: "csrf", expiresAt: Date().addingTimeInterval(60))
        #expect(try await repository.session(secretHash: second.hash, at: Date())?.user.id == designer.id)
        // A change of name or role signs nobody out.
        var renamed = current
        renamed.displayName = "Designer Two"
        try await repository.updateUser(renamed, passwordHash: nil, by: AuditActor("test"))
        #expect(try await repository.principal(forSecretHash: OpaqueToken(fresh, as: .personal).hash, at: Date()) != nil)
    }
}
