import Foundation
import Hummingbird
import QlikConnections
import Repository
import UseCases

/// The first administrator, created through the one-time link `serve` prints
/// (``SetupLink``): the organization (joined or created), the administrator
/// with a bcrypt password, then a signed-in session.
extension Console {
    func addSetupRoutes(to router: Router<ServiceContext>) {
        let console = self
        router.get("console/setup") { request, _ in
            let token = request.uri.queryParameters.get("token").map { String($0) } ?? ""
            return try await console.setupForm(token: token)
        }
        router.post("console/setup") { request, _ in try await console.setUp(request) }
    }

    private func setupForm(token: String) async throws -> Response {
        guard service.setupLink.isLive(token), try await !hasAdministrator() else { return spentLink() }
        let organizations = try await service.repository.organizations()
        return page("setup", ["title": "Set up", "token": token,
                              "values": ["organization": organizations.count == 1 ? organizations[0].name.value : ""]])
    }

    private func setUp(_ request: Request) async throws -> Response {
        let form = try await SetupForm.read(request)
        let token = form.token ?? ""
        guard service.setupLink.claim(token) else { return spentLink() }
        do {
            let response = try await createAdministrator(form, token: token)
            if response.status == .seeOther { service.setupLink.spend() } else { service.setupLink.release() }
            return response
        } catch {
            service.setupLink.release()
            throw error
        }
    }

    private func createAdministrator(_ form: SetupForm, token: String) async throws -> Response {
        if try await hasAdministrator() {
            service.setupLink.spend()
            return spentLink()
        }
        var problems: [(field: String, label: String, message: String)] = []
        let organizationName: OrganizationName?
        do { organizationName = try OrganizationName(form.organization ?? "") } catch {
            organizationName = nil
            problems.append(("organization", "Organization", "\(error)"))
        }
        let email: EmailAddress?
        do { email = try EmailAddress(form.email ?? "") } catch {
            email = nil
            problems.append(("email", "E-mail address", "\(error)"))
        }
        let password: Password?
        do { password = try Password(form.password ?? "") } catch {
            password = nil
            problems.append(("password", "Password", "\(error)"))
        }
        if password != nil, form.confirmation != form.password {
            problems.append(("confirmation", "Password again", "The two passwords differ; type the same password twice."))
        }
        guard problems.isEmpty, let organizationName, let email, let password else {
            var values: [String: Any] = ["title": "Set up", "token": token, "hasErrors": true, "errorCount": problems.count,
                                         "values": ["organization": form.organization ?? "", "email": form.email ?? "",
                                                    "displayName": form.displayName ?? ""],
                                         "errors": problems.map { ["field": $0.field, "label": $0.label, "message": $0.message] }]
            for problem in problems { values["\(problem.field)Error"] = problem.message }
            return page("setup", values, status: .unprocessableContent)
        }
        let actor = AuditActor("setup-link")
        let organization: Organization
        do {
            organization = try await service.repository.organization(named: organizationName.value)
        } catch RepositoryError.notFound {
            organization = Organization(name: organizationName)
            try await service.repository.createOrganization(organization, by: actor)
        }
        let displayName = form.displayName?.trimmingCharacters(in: .whitespaces) ?? ""
        let user = User(organizationID: organization.id, email: email, displayName: displayName.isEmpty ? email.value : displayName, role: .admin)
        try await service.repository.createUser(user, passwordHash: await service.passwords.hash(password), by: actor)
        let secret = OpaqueToken.generate(.session)
        try await service.repository.createSession(secretHash: secret.hash, user: user, csrfToken: OpaqueToken.generate(.session).text,
                                                   expiresAt: Date().addingTimeInterval(ConsoleSession.lifetime))
        service.logger.notice("first administrator created through the setup link", metadata: ["user": "\(user.email)", "organization": "\(organization.name)"])
        return Self.signedIn(secret: secret, organization: organization.name)
    }

    private func hasAdministrator() async throws -> Bool {
        for organization in try await service.repository.organizations() where try await service.repository.administratorCount(of: organization.id) > 0 {
            return true
        }
        return false
    }

    private func spentLink() -> Response {
        page("message", ["title": "Setup link", "heading": "This setup link no longer works",
                         "message": "It was used, it expired, or an administrator exists already. Sign in, or create an administrator with "
                             + "'qlik-connector user create EMAIL --admin'.",
                         "link": "/console/sign-in", "linkText": "Sign in"], status: .notFound)
    }
}
