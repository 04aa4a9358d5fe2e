import ConnectorAPI
import Foundation
import Hummingbird
import Runtime
import TestProcesses
import Testing
@testable import Service

/// openapi.yaml is the API's one description: the routes and the served document agree both ways, and the agent's claim
/// answer is described member by member with its credentials marked secret.
@Suite("The OpenAPI document: its source, its routes both ways, the claim answer and its secrets")
struct APIDocumentTests {
    /// Routed on purpose without an operation in the document, each with why.
    static let undocumented: [String: String] = [:]

    @Test("every operation in the document is routed")
    func documentedOperationsAreRouted() async throws {
        let (document, routes) = try await Self.documentAndRoutes()
        #expect(document.operations.subtracting(routes).sorted() == [], "documented but not routed")
    }

    @Test("every route but the console's and HEAD is in the document")
    func routesAreDocumented() async throws {
        let (document, routes) = try await Self.documentAndRoutes()
        #expect(routes.subtracting(document.operations).subtracting(Self.undocumented.keys).sorted() == [], "routed but not documented")
    }

    @Test("every operation has an operationId, each its own")
    func operationsHaveIDs() async throws {
        let (document, _) = try await Self.documentAndRoutes()
        let ids = document.operationIDs
        #expect(ids.count == document.operations.count && Set(ids.compactMap(\.self)).count == ids.count, "\(ids)")
    }

    @Test("the served openapi.json is openapi.yaml as written (scripts/openapi/json-from-yaml --check)",
          .enabled(if: PythonWithYAML.path != nil, "needs a python3 with PyYAML: the schemathesis venv scripts/test makes, or python3-yaml"))
    func servedJSONIsTheYAML() throws {
        let check = try ChildProcess.runWaiting(try #require(PythonWithYAML.path),
                                                [PythonWithYAML.repository.appendingPathComponent("scripts/openapi/json-from-yaml").path, "--check"])
        #expect(check.status == 0, "\(check.errors)")
    }

    @Test("every member the document gives a schema survives its generated type: the generator leaves out, silently, what it cannot model")
    func generatedTypesKeepEveryMember() async throws {
        let (document, _) = try await Self.documentAndRoutes()
        func survives<T: Codable>(_ type: T.Type, _ schema: String) throws {
            let sample = try JSONSerialization.data(withJSONObject: try document.sample(of: schema), options: [.sortedKeys])
            let decoder = JSONDecoder(), encoder = JSONEncoder()
            decoder.dateDecodingStrategy = .iso8601
            encoder.dateEncodingStrategy = .iso8601
            let again = try encoder.encode(try decoder.decode(T.self, from: sample))
            let written = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: again), options: [.sortedKeys])
            #expect(String(decoding: written, as: UTF8.self) == String(decoding: sample, as: UTF8.self), "\(schema)")
        }
        typealias S = Components.Schemas
        try survives(S.Organization.self, "Organization")
        try survives(S.OrganizationChange.self, "OrganizationChange")
        try survives(S.SecretsManager.self, "SecretsManager")
        try survives(S.SecretsManagerChange.self, "SecretsManagerChange")
        try survives(S.Connection.self, "Connection")
        try survives(S.ConnectionInput.self, "ConnectionInput")
        try survives(S.Credential.self, "Credential")
        try survives(S.User.self, "User")
        try survives(S.UserChange.self, "UserChange")
        try survives(S.NewUser.self, "NewUser")
        try survives(S.AccessToken.self, "AccessToken")
        try survives(S.RuntimeEnvironment.self, "RuntimeEnvironment")
        try survives(S.Agent.self, "Agent")
        try survives(S.Task.self, "Task")
        try survives(S.TaskLogLine.self, "TaskLogLine")
        try survives(S.AuditEvent.self, "AuditEvent")
        try survives(S.AgentAssignment.self, "AgentAssignment")
        try survives(S.AgentTaskOutcome.self, "AgentTaskOutcome")
        try survives(S.AgentHeartbeat.self, "AgentHeartbeat")
        try survives(S.TaskPage.self, "TaskPage")
    }

    @Test("the claim answer's members are exactly the documented ones, at every level")
    func claimAnswerIsFullyDescribed() async throws {
        let (document, _) = try await Self.documentAndRoutes()
        // A claim answer with every documented member, read as the agent reads it and written as the service writes it.
        let sample = try document.sample(of: "AgentAssignment")
        let assignment = try ServiceJSON.decoder.decode(AgentAssignment.self, from: JSONSerialization.data(withJSONObject: sample))
        let written = String(decoding: try ServiceJSON.encoder.encode(assignment), as: UTF8.self)
        let expected = String(decoding: try JSONSerialization.data(withJSONObject: sample, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        #expect(written == expected)
        // Every stored member is documented, even one a sample cannot fill (an optional the document lacks).
        let connection = try #require(assignment.connection)
        let manager = try #require(connection.secretsManager)
        for (name, value) in [("AgentAssignment", assignment as Any), ("AgentAssignmentConnection", connection), ("AgentSecretsManager", manager)] {
            let stored = Set(Mirror(reflecting: value).children.compactMap(\.label))
            #expect(stored == Set(document.properties(of: name).keys), "\(name)")
        }
    }

    @Test("credential values are write-only passwords in requests and secret in the claim answer")
    func credentialsAreMarkedSecret() async throws {
        let (document, _) = try await Self.documentAndRoutes()
        for field in ["accessToken", "clientID", "clientSecret"] {
            let schema = document.properties(of: "ConnectionInput")[field] ?? [:]
            #expect(schema["writeOnly"] as? Bool == true && schema["format"] as? String == "password", "ConnectionInput.\(field)")
        }
        let managerCredentials = document.properties(of: "OrganizationChange")["secretsManagerCredentials"] ?? [:]
        #expect(managerCredentials["writeOnly"] as? Bool == true)
        let values = document.properties(of: "AgentAssignmentConnection")["values"]?["additionalProperties"] as? [String: Any] ?? [:]
        for schema in [values] + ["awsSecretAccessKey", "vaultSecretID"].map({ document.properties(of: "AgentSecretsManagerCredentials")[$0] ?? [:] }) {
            #expect(schema["format"] as? String == "password" && schema["x-secret"] as? Bool == true, "\(schema)")
        }
    }

    @Test("a 405 names the methods of the most literal matching route, as the router's trie prefers it")
    func literalRouteWinsForAllow() {
        let router = Router(context: ServiceContext.self)
        router.get("things/new") { _, _ in "form" }
        router.delete("things/{name}") { _, _ in HTTPResponse.Status.noContent }
        router.patch("things/{name}") { _, _ in HTTPResponse.Status.noContent }
        let table = RouteTable(router.routes)
        #expect(table.methods(for: "/things/new") == [.get])
        #expect(table.methods(for: "/things/Sales%20EU") == [.delete, .patch])
        #expect(table.methods(for: "/things/a/b").isEmpty)
    }

    /// The document as served and the router's routes as `METHOD /path/{capture}`, less the console's pages and HEAD.
    static func documentAndRoutes() async throws -> (ServedDocument, Set<String>) {
        let harness = try await ServiceHarness.make()
        let served = try await harness.withClient { api in try await api.call(.get, "/openapi.json", token: nil).text }
        let document = try ServedDocument(Data(served.utf8))
        let routes = harness.service.router().routes.filter { $0.method != .head }
            .map { "\($0.method.rawValue) /\($0.path.components.map(\.description).joined(separator: "/"))" }
            .filter { !$0.contains(" /console") }
        // Both lists are read as the same text, or each direction would pass on two empty sets.
        try #require(routes.contains("GET /api/v1/connections/{name}") && document.operations.contains("GET /api/v1/connections/{name}"))
        return (document, Set(routes))
    }
}

/// The served document, read as plain JSON.
struct ServedDocument {
    let root: [String: Any]
    private static let verbs = ["get", "put", "post", "delete", "patch", "head", "options"]

    init(_ data: Data) throws { root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]) }

    private var paths: [String: [String: Any]] { root["paths"] as? [String: [String: Any]] ?? [:] }
    private var schemas: [String: [String: Any]] { (root["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]] ?? [:] }

    var operations: Set<String> {
        Set(paths.flatMap { path, item in Self.verbs.filter { item[$0] != nil }.map { "\($0.uppercased()) \(path)" } })
    }

    var operationIDs: [String?] {
        paths.values.flatMap { item in Self.verbs.compactMap { item[$0] as? [String: Any] }.map { $0["operationId"] as? String } }
    }

    func properties(of schema: String) -> [String: [String: Any]] { schemas[schema]?["properties"] as? [String: [String: Any]] ?? [:] }

    /// A value for `schema` with every member it documents filled in.
    func sample(of schema: String) throws -> [String: Any] {
        try #require(try value(for: ["$ref": "#/components/schemas/\(schema)"]) as? [String: Any])
    }

    private func value(for schema: [String: Any]) throws -> Any {
        if let reference = schema["$ref"] as? String {
            return try value(for: try #require(schemas[String(reference.split(separator: "/").last ?? "")], "\(reference) is not in the document"))
        }
        if let choices = schema["enum"] as? [Any], let first = choices.first { return first }
        // One of several shapes, or a type that may also be null: the first that is not null.
        if let choices = (schema["oneOf"] ?? schema["anyOf"]) as? [[String: Any]], let first = choices.first(where: { $0["type"] as? String != "null" }) {
            return try value(for: first)
        }
        let type = schema["type"] as? String ?? (schema["type"] as? [String])?.first { $0 != "null" }
        if type == "string", schema["format"] as? String == "date-time" { return "2026-12-06T10:20:30Z" }
        switch type {
        case "object"?:
            if let properties = schema["properties"] as? [String: [String: Any]] { return try properties.mapValues { try value(for: $0) } }
            return ["accessToken": try value(for: schema["additionalProperties"] as? [String: Any] ?? ["type": "string"])]
        case "array"?: return [try value(for: schema["items"] as? [String: Any] ?? ["type": "string"])]
        case "integer"?: return 1
        case "number"?: return 30.5
        case "boolean"?: return true
        default: return schema["format"] as? String == "uuid" ? UUID().uuidString : "text"
        }
    }
}

/// A python3 that imports PyYAML, for the JSON-from-YAML check.
enum PythonWithYAML {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let path: String? = {
        let schemathesis = ProcessInfo.processInfo.environment["SCHEMATHESIS"].map { URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("python").path }
        let candidates = [schemathesis, repository.appendingPathComponent(".venv-schemathesis/bin/python").path, "/usr/bin/python3"].compactMap(\.self)
        return candidates.first { candidate in
            guard FileManager.default.isExecutableFile(atPath: candidate) else { return false }
            return (try? ChildProcess.runWaiting(candidate, ["-c", "import yaml"]))?.status == 0
        }
    }()
}
