import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import QlikConnections
import Repository
import Secrets
import Testing
import TestRepositories
@testable import Service
import UseCases

@Suite("The one-time setup link: the first administrator from the browser")
struct ConsoleSetupTests {
    static func service(_ repository: any ConnectorRepository) -> ConnectorService {
        ConnectorService(repository: repository, keyring: Keyring(active: MasterKey.generate()), logger: Logger(label: "setup-tests"),
                         passwords: PasswordHasher(cost: 4))
    }

    @Test("the link creates the organization and its administrator once, with field errors first; then it is spent and sign-in works")
    func firstAdministrator() async throws {
        let store = try await TestRepository.make(.sqlite)
        let service = Self.service(store.repository)
        let token = service.setupLink.issue()
        let app = Application(router: service.router(), services: service.services, logger: service.logger)
        try await app.test(.router) { client in
            let browser = Browser(api: APIClient(client: client))
            #expect(try await browser.get("/console/setup?token=not-the-link").status == .notFound)
            let form = try await browser.get("/console/setup?token=\(token)")
            #expect(form.status == .ok && form.text.contains(#"<label for="organization">"#) && form.text.contains(#"<label for="password">"#))
            let refused = try await browser.post("/console/setup", ["token": token, "organization": "Acme", "email": "not an address",
                                                                    "password": "short", "confirmation": "short"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains(#"id="email-error""#) && refused.text.contains(#"id="password-error""#) && refused.text.contains("12 to 256"))
            #expect(refused.text.contains(#"aria-describedby="password-rule password-error""#), "the error is tied to its field")
            let differ = try await browser.post("/console/setup", ["token": token, "organization": "Acme", "email": "ada@acme.example",
                                                                   "password": "correct horse battery staple", "confirmation": "correct horse battery stable"])
            #expect(differ.status == .unprocessableContent && differ.text.contains(#"id="confirmation-error""#))
            let created = try await browser.post("/console/setup", ["token": token, "organization": "Acme", "email": "ada@acme.example",
                                                                    "displayName": "Ada", "password": "correct horse battery staple",
                                                                    "confirmation": "correct horse battery staple"])
            #expect(created.status == .seeOther && created.headers[.location] == "/console")
            let cookie = try #require(created.headers[.setCookie])
            #expect(created.headers[values: .setCookie].contains { $0.hasPrefix("qc_org=Acme;") }, "the next sign-in form is filled with the organization")
            browser.cookie = String(cookie.prefix { $0 != ";" })
            let list = try await browser.get("/console")
            #expect(list.status == .ok && list.text.contains("ada@acme.example"), "the new administrator is signed in")
            // Spent: the same link, again, does nothing.
            browser.cookie = nil
            #expect(try await browser.get("/console/setup?token=\(token)").status == .notFound)
            let again = try await browser.post("/console/setup", ["token": token, "organization": "Evil", "email": "eve@evil.example",
                                                                  "password": "correct horse battery staple", "confirmation": "correct horse battery staple"])
            #expect(again.status == .notFound)
            let signIn = try await browser.signIn("Acme", "ada@acme.example", "correct horse battery staple")
            #expect(signIn.status == .seeOther)
        }
        let organizations = try await store.repository.organizations()
        #expect(organizations.map(\.name.value) == ["Acme"])
        let users = try await store.repository.users(of: try #require(organizations.first).id)
        #expect(users.map(\.role) == [.admin] && users.first?.displayName == "Ada")
        let stored = try await store.storedBytes()
        #expect(stored.range(of: Data(token.utf8)) == nil && stored.range(of: Data("correct horse battery staple".utf8)) == nil)
    }

    @Test("a link is refused once an administrator exists, however it came to be")
    func refusedWithAdministrator() async throws {
        let store = try await TestRepository.make(.sqlite)
        let organization = Organization(name: try OrganizationName("Acme"))
        try await store.repository.createOrganization(organization, by: AuditActor("test"))
        let service = Self.service(store.repository)
        let token = service.setupLink.issue()
        try await store.repository.createUser(User(organizationID: organization.id, email: try EmailAddress("cli@acme.example"), displayName: "CLI", role: .admin),
                                              passwordHash: nil, by: AuditActor("test"))
        let app = Application(router: service.router(), services: service.services, logger: service.logger)
        try await app.test(.router) { client in
            let browser = Browser(api: APIClient(client: client))
            #expect(try await browser.get("/console/setup?token=\(token)").status == .notFound)
            let posted = try await browser.post("/console/setup", ["token": token, "organization": "Acme", "email": "eve@acme.example",
                                                                   "password": "correct horse battery staple", "confirmation": "correct horse battery staple"])
            #expect(posted.status == .notFound)
        }
        #expect(try await store.repository.users(of: organization.id).map(\.email.value) == ["cli@acme.example"])
    }
}
