import Foundation
import Hummingbird
import HTTPTypes
import Mustache
import Connector
import QlikConnections
import Repository
import Secrets
import ConnectorAPI

/// The web console: sign in, the organization's connections, the New
/// connection page laid out as Qlik's connection page, Test Connection,
/// edit (secrets write-only), delete after confirming. Plain HTML forms.
struct Console: Sendable {
    let service: ConnectorService
    let library: MustacheLibrary

    init(service: ConnectorService) throws {
        self.service = service
        library = try ConsoleTemplates.library()
    }

    func addRoutes(to router: Router<ServiceContext>) {
        let console = self
        router.get("console/sign-in") { request, _ in console.signInPage(request) }
        router.post("console/sign-in") { request, context in try await console.signIn(request, context) }
        addSetupRoutes(to: router)
        let pages = router.group("console").add(middleware: ConsoleAuthentication(sessions: service.repository))
        pages.get("") { _, context in try await console.list(context, notice: nil) }
        pages.post("sign-out") { request, context in try await console.signOut(request, context) }
        pages.get("connections/new") { _, context in try await console.form(context, editing: nil) }
        pages.post("connections") { request, context in try await console.save(request, context, editing: nil) }
        pages.get("connections/:name") { _, context in try await console.show(context, name: try context.pathParameter("name"), test: nil, notice: nil) }
        pages.post("connections/:name/test") { request, context in try await console.test(request, context) }
        pages.get("connections/:name/edit") { _, context in try await console.form(context, editing: try context.pathParameter("name")) }
        pages.post("connections/:name/edit") { request, context in
            try await console.save(request, context, editing: try context.pathParameter("name"))
        }
        pages.get("connections/:name/delete") { _, context in try await console.confirmDelete(context) }
        pages.post("connections/:name/delete") { request, context in try await console.delete(request, context) }
        addTaskPages(to: pages)
    }

    // MARK: pages

    func page(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let html = library.render(values, withTemplate: template) ?? "<!doctype html><title>Error</title><p>The page could not be rendered.</p>"
        var headers = headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        // Framing and third-party content are refused: forms of this page stay its own.
        headers[HTTPField.Name("Content-Security-Policy") ?? .contentType] = "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"
        headers[HTTPField.Name("X-Content-Type-Options") ?? .contentType] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func base(_ context: ServiceContext, title: String) throws -> [String: Any] {
        let principal = try context.requirePrincipal()
        return ["title": title, "csrf": context.csrfToken ?? "", "canManage": principal.canManageConnections,
                "user": ["email": principal.user.email.value, "role": principal.user.role.rawValue]]
    }

    func signOut(_ request: Request, _ context: ServiceContext) async throws -> Response {
        _ = try await checkedForm(ButtonForm.self, request, context)
        if let secret = ConsoleSession.secret(in: request) { try await service.repository.deleteSession(secretHash: secret.hash) }
        var response = Response(status: .seeOther, headers: [.location: "/console/sign-in"])
        response.setCookie(ConsoleSession.expiredCookie)
        return response
    }

    /// The posted form, once its CSRF token matches the session's.
    func checkedForm<Form: CSRFCheckedForm>(_ type: Form.Type, _ request: Request, _ context: ServiceContext) async throws -> Form {
        let form = try await Form.read(request)
        guard let expected = context.csrfToken, let sent = form.csrf, ConsoleSession.same(sent, expected) else {
            throw APIError(.forbidden, code: "csrf_failed", "The form's security token is missing or stale; reload the page and try again.")
        }
        return form
    }

    func list(_ context: ServiceContext, notice: String?) async throws -> Response {
        let principal = try context.requirePrincipal()
        let listed = try await service.repository.connectionPage(of: principal.organizationID, matching: ConnectionFilter(), after: nil, limit: 500)
        let environments = try await service.repository.runtimeEnvironments(of: principal.organizationID)
        let tests = try await service.repository.lastTests(of: listed.items.map(\.id))
        var values = try base(context, title: "Connections")
        values["notice"] = notice
        values["hasConnections"] = !listed.items.isEmpty
        values["connections"] = listed.items.map { connection -> [String: Any] in
            let test = tests[connection.id]
            return ["name": connection.name.value, "path": ConnectorService.pathComponent(connection.name.value),
                    "description": connection.description?.value ?? false,
                    "authentication": connection.authentication.type.displayName,
                    "runtimeEnvironment": environments.first { $0.id == connection.runtimeEnvironmentID }?.name.value ?? "",
                    "tested": test != nil, "testVerdict": test.map { $0.succeeded ? "Passed" : "Failed" } ?? "",
                    "testClass": test.map { $0.succeeded ? "ok" : "bad" } ?? "none",
                    "testedAt": test.map { Self.shown($0.testedAt) } ?? ""]
        }
        return page("connections", values)
    }

    static func shown(_ date: Date) -> String {
        ISODate.string(date).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }

    func form(_ context: ServiceContext, editing name: String?, draft: [String: String] = [:], problems: [FieldProblem] = [],
              status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = try context.requirePrincipal()
        try principal.require(.designer)
        let organization = try await service.repository.organization(principal.organizationID)
        let environments = try await service.repository.runtimeEnvironments(of: organization.id)
        var values = draft
        var stored: Set<ConnectionField> = []
        var references: [ConnectionField: String] = [:]
        if let name, draft.isEmpty {
            let connection = try await service.repository.connection(named: name, in: principal.organizationID)
            values = ["name": connection.name.value, "description": connection.description?.value ?? "",
                      "runtimeEnvironment": environments.first { $0.id == connection.runtimeEnvironmentID }?.name.value ?? "",
                      "authenticationType": connection.authentication.type.rawValue, "baseURL": connection.authentication.baseURL.description,
                      "useSecretVault": connection.useSecretVault ? "on" : ""]
            for (field, credential) in connection.authentication.credentials {
                if case .secretReference(let reference) = credential { references[field] = reference.description } else { stored.insert(field) }
            }
        } else if let name {
            let connection = try await service.repository.connection(named: name, in: principal.organizationID)
            stored = Set(connection.authentication.credentials.map(\.field))
        }
        let authentication = values["authenticationType"] ?? "api-key"
        var page = try base(context, title: name == nil ? "New connection" : "Edit \(name ?? "")")
        page["heading"] = name == nil ? "New connection" : "Edit \(name ?? "")"
        page["action"] = name.map { "/console/connections/\(ConnectorService.pathComponent($0))/edit" } ?? "/console/connections"
        page["cancel"] = name.map { "/console/connections/\(ConnectorService.pathComponent($0))" } ?? "/console"
        page["submit"] = name == nil ? "Create connection" : "Save changes"
        page["values"] = values
        page["vaultChecked"] = values["useSecretVault"] == "on"
        page["secretsManager"] = organization.secretsManager.map { $0.kind.displayName }
        page["apiKeySelected"] = authentication != "oauth2"
        page["oauthSelected"] = authentication == "oauth2"
        page["environments"] = environments.map { environment -> [String: Any] in
            ["name": environment.name.value, "kind": environment.kind == .serverless ? "serverless" : "Secure Agent group",
             "selected": environment.name.comparisonKey == (values["runtimeEnvironment"] ?? "Serverless").lowercased()]
        }
        var errors: [String: String] = [:]
        for problem in problems where errors[problem.field.rawValue] == nil { errors[problem.field.rawValue] = problem.message }
        for field in ["name", "description", "runtimeEnvironment", "baseURL", "useSecretVault"] { page[field + "Error"] = errors[field] }
        page["credentials"] = [(ConnectionField.accessToken, "api-key-only", "password", "The token generated in Qlik Cloud (an API key)."),
                               (.clientID, "oauth-only", "text", "The OAuth 2.0 client identifier from the Qlik Cloud Management Console."),
                               (.clientSecret, "oauth-only", "password", "The OAuth 2.0 client secret shown when the client was created.")].map { field, only, type, rule in
            ["field": field.rawValue, "label": field.label, "only": only, "inputType": type, "rule": rule, "stored": stored.contains(field),
             "vault": organization.secretsManager != nil, "reference": references[field] ?? values[field.rawValue + "Reference"] ?? "",
             // Absent is false to Mustache; an empty String would count as present.
             "error": errors[field.rawValue] ?? false] as [String: Any]
        }
        page["hasErrors"] = !problems.isEmpty
        page["errorCount"] = problems.count
        page["errors"] = problems.map { ["field": $0.field.rawValue, "label": $0.field.label, "message": $0.message] }
        return self.page("connection-form", page, status: status)
    }

    func save(_ request: Request, _ context: ServiceContext, editing name: String?) async throws -> Response {
        let principal = try context.requirePrincipal()
        try principal.require(.designer)
        let form = try await checkedForm(ConnectionForm.self, request, context)
        let authentication = form.authenticationType ?? "api-key"
        func credential(_ field: ConnectionField) -> CredentialInput<CredentialValue>? {
            // The other authentication type's fields are hidden on the page: whatever they hold is not this connection's.
            let belongs = authentication == "oauth2" ? field != .accessToken : field == .accessToken
            guard belongs else { return nil }
            let typed = form.credential(field)
            if let reference = typed.reference { return .reference(reference) }
            return typed.value.flatMap { Secret($0) }.map { .value(.new($0)) }
        }
        let draft = ConnectionDraft<CredentialValue>(
            name: form.name, description: form.description, runtimeEnvironment: form.runtimeEnvironment,
            useSecretVault: form.useSecretVault == "on", authenticationType: authentication, baseURL: form.baseURL,
            accessToken: credential(.accessToken), clientID: credential(.clientID), clientSecret: credential(.clientSecret))
        do {
            let connection: StoredConnection
            if let name {
                connection = try await service.updateConnection(named: name, with: draft, by: principal).0
            } else {
                connection = try await service.createConnection(draft, by: principal).0
            }
            return Response(status: .seeOther, headers: [.location: "/console/connections/\(ConnectorService.pathComponent(connection.name.value))?saved=1"])
        } catch let error as ConnectionValidationError {
            return try await self.form(context, editing: name, draft: form.echoed, problems: error.problems, status: .unprocessableContent)
        } catch RepositoryError.duplicateName(_, let duplicate) {
            let problem = FieldProblem(.name, "A connection named '\(duplicate)' already exists in the organization (names are compared without regard to case).")
            return try await self.form(context, editing: name, draft: form.echoed, problems: [problem], status: .conflict)
        } catch RepositoryError.lookalikeName(let kind, let existing, let lookalike) {
            let problem = FieldProblem(.name, RepositoryError.lookalikeName(kind: kind, existing: existing, name: lookalike).description)
            return try await self.form(context, editing: name, draft: form.echoed, problems: [problem], status: .conflict)
        }
    }

    func show(_ context: ServiceContext, name: String, test: ConnectionTestReport?, notice: String?) async throws -> Response {
        let principal = try context.requirePrincipal()
        let connection = try await service.repository.connection(named: name, in: principal.organizationID)
        let environments = try await service.repository.runtimeEnvironments(of: principal.organizationID)
        var values = try base(context, title: connection.name.value)
        values["name"] = connection.name.value
        values["path"] = ConnectorService.pathComponent(connection.name.value)
        values["description"] = connection.description?.value ?? false
        values["runtimeEnvironment"] = environments.first { $0.id == connection.runtimeEnvironmentID }?.name.value ?? ""
        values["useSecretVault"] = connection.useSecretVault
        values["authentication"] = connection.authentication.type.displayName
        values["baseURL"] = connection.authentication.baseURL.description
        values["notice"] = notice
        values["credentials"] = connection.authentication.credentials.map { field, credential -> [String: Any] in
            let source = switch credential {
            case .value: "Stored, sealed (never shown)"
            case .secretReference(let reference): "Secret reference \(reference)"
            case .onAgent: "Kept on the runtime environment's Secure Agents"
            }
            return ["label": field.label, "source": source]
        }
        if let test {
            values["test"] = Self.testValues(succeeded: test.succeeded, summary: test.summary, at: test.startedAt, steps: test.steps)
        } else if let last = try await service.repository.lastTest(of: connection.id) {
            let steps = (try? ServiceJSON.decoder.decode(ConnectionTestReport.self, from: last.report))?.steps ?? []
            values["test"] = Self.testValues(succeeded: last.succeeded, summary: last.summary, at: last.testedAt, steps: steps)
        }
        return page("connection", values)
    }

    static func testValues(succeeded: Bool, summary: String, at: Date, steps: [ConnectionTestReport.Step]) -> [String: Any] {
        ["verdict": succeeded ? "Passed" : "Failed", "testClass": succeeded ? "ok" : "bad", "summary": summary, "testedAt": shown(at),
         "hasSteps": !steps.isEmpty,
         "steps": steps.map { step -> [String: Any] in
             ["name": step.name, "verdict": step.verdict.rawValue, "class": step.verdict == .passed ? "ok" : step.verdict == .failed ? "bad" : "none",
              "milliseconds": step.milliseconds, "detail": step.detail, "hint": step.hint ?? false]
         }]
    }

    func test(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try principal.require(.designer)
        _ = try await checkedForm(ButtonForm.self, request, context)
        let name = try context.pathParameter("name")
        do {
            let (report, _) = try await service.testConnection(named: name, by: principal)
            return try await show(context, name: name, test: report, notice: nil)
        } catch let pending as TaskPending {
            let view = Components.Schemas.Task(pending.task, environments: pending.environments)
            return try await show(context, name: name, test: nil, notice: pending.message ?? ("Test Connection is queued on runtime environment '\(view.runtimeEnvironment)' "
                + "(task \(view.id)): no agent of that group has run it yet. Follow it with 'qlik-connector task show \(view.id)' or GET /api/v1/tasks/\(view.id)."))
        }
    }

    func confirmDelete(_ context: ServiceContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try principal.require(.designer)
        let connection = try await service.repository.connection(named: try context.pathParameter("name"), in: principal.organizationID)
        var values = try base(context, title: "Delete \(connection.name.value)")
        values["name"] = connection.name.value
        values["path"] = ConnectorService.pathComponent(connection.name.value)
        return page("delete", values)
    }

    func delete(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try principal.require(.designer)
        _ = try await checkedForm(ButtonForm.self, request, context)
        let (deleted, _) = try await service.connectionManagement.delete(named: try context.pathParameter("name"), in: principal.organizationID,
                                                                       by: service.actor(principal))
        return try await list(context, notice: "Deleted connection '\(deleted.name.value)'.")
    }
}
