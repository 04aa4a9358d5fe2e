import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import QlikCloudSandbox

/// A JSON document as decoded strictly (a number is never a boolean), for checking shapes.
enum JSONDocument: Decodable {
    case null, bool(Bool), number(Double), string(String), array([JSONDocument]), object([String: JSONDocument])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Each attempt asks whether the value is of that JSON type; the last one fails for a value of none.
        if container.decodeNil() { self = .null }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else if let items = try? container.decode([JSONDocument].self) { self = .array(items) }
        else { self = .object(try container.decode([String: JSONDocument].self)) }
    }
}

/// The REST shapes of qlik-api-ts (Tests/Fixtures/qlik-api-shapes/shapes.json, from scripts/qlik-api-shapes),
/// and a check of one answer against them: required keys present, JSON types and enum values as declared.
struct QlikAPIShapes {
    let paths: [String: [String: Any]]
    let types: [String: [String: Any]]

    static func load() throws -> QlikAPIShapes {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/qlik-api-shapes/shapes.json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return QlikAPIShapes(paths: try #require(document["paths"] as? [String: [String: Any]]),
                             types: try #require(document["types"] as? [String: [String: Any]]))
    }

    /// What is wrong with `value` as `shape`, one line per problem, each with its JSON path.
    func problems(_ value: JSONDocument, _ shape: [String: Any], at path: String = "$") -> [String] {
        if let name = shape["ref"] as? String {
            guard let resolved = types[name] else { return ["\(path): the fixture lacks type \(name)"] }
            return problems(value, resolved, at: path)
        }
        if let all = shape["allOf"] as? [[String: Any]] { return all.flatMap { problems(value, $0, at: path) } }
        if let any = shape["anyOf"] as? [[String: Any]] {
            return any.contains { problems(value, $0, at: path).isEmpty } ? [] : ["\(path): matches none of its alternatives"]
        }
        let type = shape["type"] as? String ?? "any"
        if case .null = value { return type == "any" || type == "null" || shape["nullable"] as? Bool == true ? [] : ["\(path): null, expected \(type)"] }
        switch (type, value) {
        case ("any", _), ("boolean", .bool), ("number", .number): return []
        case ("string", .string(let text)):
            guard let allowed = shape["enum"] as? [String] else { return [] }
            return allowed.contains(text) ? [] : ["\(path): '\(text)' is not one of \(allowed)"]
        case ("array", .array(let items)):
            guard let item = shape["items"] as? [String: Any] else { return [] }
            return items.enumerated().flatMap { problems($0.element, item, at: "\(path)[\($0.offset)]") }
        case ("object", .object(let members)):
            var found: [String] = []
            for (key, property) in shape["properties"] as? [String: [String: Any]] ?? [:] {
                if let member = members[key] {
                    found += problems(member, property, at: "\(path).\(key)")
                } else if property["required"] as? Bool == true {
                    found.append("\(path).\(key): required, missing")
                }
            }
            if let additional = shape["additional"] as? [String: Any] {
                for (key, member) in members { found += problems(member, additional, at: "\(path).\(key)") }
            }
            return found
        default: return ["\(path): \(value), expected \(type)"]
        }
    }

    /// Checks one answer of the operation `method template`: its status is one qlik-api-ts declares, and its body has that status's shape.
    func check(_ answer: RESTAnswer, _ method: HTTPRequest.Method, _ template: String) throws -> [String] {
        guard let operation = paths["\(method.rawValue) \(template)"] else { return ["\(method.rawValue) \(template): not in qlik-api-ts"] }
        guard let declared = operation[String(answer.status.code)] as? [String: Any], let shape = declared["body"] as? [String: Any] else {
            return ["\(method.rawValue) \(template): status \(answer.status.code) is not one qlik-api-ts declares (\(operation.keys.sorted())): \(String(buffer: answer.body).prefix(300))"]
        }
        guard answer.body.readableBytes > 0, answer.headers[.contentType]?.hasPrefix("application/json") == true else { return [] }
        let value = try JSONDecoder().decode(JSONDocument.self, from: Data(buffer: answer.body))
        return problems(value, shape).map { "\(method.rawValue) \(template): \($0)" }
    }
}

@Suite("Sandbox REST conformance: every path answers as qlik-api-ts defines it")
struct SandboxRESTConformanceTests {
    @Test("the shape check finds a missing required key, a wrong type and a value outside an enum")
    func checkerFindsProblems() throws {
        let shapes = try QlikAPIShapes.load()
        let key = try JSONDecoder().decode(JSONDocument.self, from: Data(#"{"id":"1","status":"lost","sub":3}"#.utf8))
        let problems = shapes.problems(key, ["ref": "api-keys.ApiKey"])
        #expect(problems.contains("$.tenantId: required, missing"))
        #expect(problems.contains { $0.hasPrefix("$.sub:") })
        #expect(problems.contains { $0.hasPrefix("$.status: 'lost'") })
    }

    @Test("every REST path the sandbox serves answers with qlik-api-ts's status and shape")
    func everyPath() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let credentials = sandbox.credentials(port: 0)
        let key = credentials.apiKey
        let tenantID = sandbox.tenant.tenantID
        let app = try #require(await sandbox.appID(named: "Sales Analysis"))
        let file = try #require(await sandbox.tenant.dataFiles.first { $0.name == "customers.csv" })
        let steward = try #require(await sandbox.tenant.usersByCreation.first { $0.name == "Sam Okafor" })
        let appQRI = LineageGraph.appQRI(app).segment
        let fileQRI = LineageGraph.datasetQRI(fileID: file.id, spaceID: file.spaceID, ownerID: file.ownerID)
        let table = LineageGraph.child(LineageGraph.appQRI(app), "Customers").segment
        try await sandbox.application().test(.router) { client in
            let shapes = try QlikAPIShapes.load()
            var problems: [String] = []
            var checked = 0
            @discardableResult
            func check(_ method: HTTPRequest.Method, _ template: String, _ uri: String, json: String? = nil) async throws -> RESTAnswer {
                let answer = try await client.call(method, uri, key: key, json: json)
                problems += try shapes.check(answer, method, template)
                checked += 1
                return answer
            }
            try await check(.get, "/api/v1/users/me", "/api/v1/users/me")
            try await check(.get, "/api/v1/users", "/api/v1/users?limit=2&totalResults=true")
            try await check(.get, "/api/v1/users/{userId}", "/api/v1/users/\(steward.id)")
            try await check(.get, "/api/v1/users/actions/count", "/api/v1/users/actions/count")
            try await check(.post, "/api/v1/users", "/api/v1/users", json: #"{"name":"Ada","email":"ada@example.com"}"#)

            try await check(.get, "/api/v1/spaces", "/api/v1/spaces?limit=2")
            let space = try #require(try await check(.post, "/api/v1/spaces", "/api/v1/spaces", json: #"{"name":"Conformance","type":"shared"}"#).object()["id"] as? String)
            try await check(.get, "/api/v1/spaces/{spaceId}", "/api/v1/spaces/\(space)")
            try await check(.patch, "/api/v1/spaces/{spaceId}", "/api/v1/spaces/\(space)", json: #"[{"op":"replace","path":"/description","value":"d"}]"#)
            try await check(.put, "/api/v1/spaces/{spaceId}", "/api/v1/spaces/\(space)", json: #"{"name":"Conformance 2"}"#)
            let assignment = try #require(try await check(.post, "/api/v1/spaces/{spaceId}/assignments", "/api/v1/spaces/\(space)/assignments",
                                                          json: #"{"assigneeId":"\#(steward.id)","type":"user","roles":["consumer"]}"#).object()["id"] as? String)
            try await check(.get, "/api/v1/spaces/{spaceId}/assignments", "/api/v1/spaces/\(space)/assignments")
            try await check(.get, "/api/v1/spaces/{spaceId}/assignments/{assignmentId}", "/api/v1/spaces/\(space)/assignments/\(assignment)")
            try await check(.delete, "/api/v1/spaces/{spaceId}/assignments/{assignmentId}", "/api/v1/spaces/\(space)/assignments/\(assignment)")
            try await check(.delete, "/api/v1/spaces/{spaceId}", "/api/v1/spaces/\(space)")

            let item = try #require(try await check(.get, "/api/v1/items", "/api/v1/items?limit=3").data().first?["id"] as? String)
            try await check(.get, "/api/v1/items/{itemId}", "/api/v1/items/\(item)")

            try await check(.get, "/api/v1/apps/{appId}", "/api/v1/apps/\(app)")
            let created = try await check(.post, "/api/v1/apps", "/api/v1/apps", json: #"{"attributes":{"name":"Conformance"}}"#)
            let newApp = try #require((try created.object()["attributes"] as? [String: Any])?["id"] as? String)
            try await check(.put, "/api/v1/apps/{appId}", "/api/v1/apps/\(newApp)", json: #"{"attributes":{"description":"d"}}"#)
            try await check(.post, "/api/v1/apps/{appId}/scripts", "/api/v1/apps/\(newApp)/scripts", json: #"{"script":"T: LOAD 1 AS A AUTOGENERATE 1;","versionMessage":"v1"}"#)
            let script = try #require((try await check(.get, "/api/v1/apps/{appId}/scripts", "/api/v1/apps/\(newApp)/scripts").object()["scripts"]
                                       as? [[String: Any]])?.first?["scriptId"] as? String)
            try await check(.get, "/api/v1/apps/{appId}/scripts/{id}", "/api/v1/apps/\(newApp)/scripts/\(script)")
            try await check(.get, "/api/v1/apps/{appId}/scripts/{id}", "/api/v1/apps/\(newApp)/scripts/current")
            try await check(.post, "/api/v1/apps/{appId}/copy", "/api/v1/apps/\(app)/copy", json: #"{"attributes":{"name":"Copy"}}"#)
            try await check(.get, "/api/v1/apps/{appId}/data/metadata", "/api/v1/apps/\(app)/data/metadata")
            try await check(.get, "/api/v1/apps/{appId}/data/lineage", "/api/v1/apps/\(app)/data/lineage")
            try await check(.get, "/api/v1/apps/{appId}/media/thumbnail", "/api/v1/apps/\(app)/media/thumbnail")
            try await check(.delete, "/api/v1/apps/{appId}", "/api/v1/apps/\(newApp)")
            let sheet = try #require(await sandbox.tenant.app(app)?.objects.items.first { $0.type == "sheet" }?.id)
            try await check(.post, "/api/v1/apps/{appId}/objects/{objectId}/actions/change-owner", "/api/v1/apps/\(app)/objects/\(sheet)/actions/change-owner",
                            json: #"{"ownerId":"\#(steward.id)"}"#)

            try await check(.get, "/api/v1/api-keys", "/api/v1/api-keys")
            let apiKey = try #require(try await check(.post, "/api/v1/api-keys", "/api/v1/api-keys", json: #"{"description":"conformance"}"#).object()["id"] as? String)
            try await check(.get, "/api/v1/api-keys/{id}", "/api/v1/api-keys/\(apiKey)")
            try await check(.patch, "/api/v1/api-keys/{id}", "/api/v1/api-keys/\(apiKey)", json: #"[{"op":"replace","path":"/description","value":"x"}]"#)
            try await check(.delete, "/api/v1/api-keys/{id}", "/api/v1/api-keys/\(apiKey)")
            try await check(.get, "/api/v1/api-keys/configs/{tenantId}", "/api/v1/api-keys/configs/\(tenantID)")
            try await check(.patch, "/api/v1/api-keys/configs/{tenantId}", "/api/v1/api-keys/configs/\(tenantID)",
                            json: #"[{"op":"replace","path":"/max_api_key_expiry","value":"P30D"}]"#)

            try await check(.get, "/api/v1/tenants/me", "/api/v1/tenants/me")
            try await check(.get, "/api/v1/tenants/{tenantId}", "/api/v1/tenants/\(tenantID)")
            try await check(.patch, "/api/v1/tenants/{tenantId}", "/api/v1/tenants/\(tenantID)", json: #"[{"op":"replace","path":"/enableAnalyticCreation","value":false}]"#)

            let reload = try #require(try await check(.post, "/api/v1/reloads", "/api/v1/reloads", json: #"{"appId":"\#(app)"}"#).object()["id"] as? String)
            // A cancel is answered 409 once the worker has finished the reload, which it may do before the cancel arrives on a busy
            // machine (a race the test must not lose by chance): a reload finished first is queued again, up to ten times.
            var cancelled: RESTAnswer?
            for attempt in 0..<10 where cancelled == nil {
                let target = attempt == 0 ? reload
                    : try #require(try await client.call(.post, "/api/v1/reloads", key: key, json: #"{"appId":"\#(app)"}"#).object()["id"] as? String)
                let answer = try await client.call(.post, "/api/v1/reloads/\(target)/actions/cancel", key: key, json: nil)
                let state = try await client.call(.get, "/api/v1/reloads/\(target)", key: key, json: nil).object()["status"] as? String
                if answer.status == .conflict, ["SUCCEEDED", "FAILED"].contains(state) { continue }
                cancelled = answer
            }
            let cancel = try #require(cancelled, "ten reloads in a row finished before their cancel arrived")
            problems += try shapes.check(cancel, .post, "/api/v1/reloads/{reloadId}/actions/cancel")
            checked += 1
            try await check(.get, "/api/v1/reloads", "/api/v1/reloads?limit=2")
            try await check(.get, "/api/v1/reloads/{reloadId}", "/api/v1/reloads/\(reload)")

            let event = try #require(try await check(.get, "/api/v1/audits", "/api/v1/audits?limit=3").data().first?["id"] as? String)
            try await check(.get, "/api/v1/audits/{id}", "/api/v1/audits/\(event)")
            try await check(.get, "/api/v1/audits/types", "/api/v1/audits/types")
            try await check(.get, "/api/v1/audits/sources", "/api/v1/audits/sources")

            try await check(.get, "/api/v1/data-files", "/api/v1/data-files?includeAllSpaces=true&limit=2")
            try await check(.get, "/api/v1/data-files/{id}", "/api/v1/data-files/\(file.id)")
            try await check(.get, "/api/v1/data-files/quotas", "/api/v1/data-files/quotas")
            try await check(.get, "/api/v1/data-files/connections", "/api/v1/data-files/connections")
            try await check(.get, "/api/v1/data-files/connections/{id}", "/api/v1/data-files/connections/\(file.connectionID)")
            try await check(.get, "/api/v1/data-stores", "/api/v1/data-stores")
            try await check(.get, "/api/v1/data-stores/{data-store-id}", "/api/v1/data-stores/\(file.connectionID)")
            try await check(.get, "/api/v1/data-stores/{data-store-ids}/data-assets", "/api/v1/data-stores/\(file.connectionID)/data-assets")
            try await check(.get, "/api/v1/data-stores/{data-store-ids}/data-assets/{data-asset-ids}/data-sets",
                            "/api/v1/data-stores/\(file.connectionID)/data-assets/\(file.id)/data-sets")
            try await check(.get, "/api/v1/data-sets/{data-set-id}", "/api/v1/data-sets/\(file.id)")

            try await check(.get, "/api/v1/lineage-graphs/nodes/{id}", "/api/v1/lineage-graphs/nodes/\(appQRI)?level=all")
            try await check(.get, "/api/v1/lineage-graphs/nodes/{id}", "/api/v1/lineage-graphs/nodes/\(appQRI)?level=field")
            try await check(.get, "/api/v1/lineage-graphs/nodes/{id}/actions/expand", "/api/v1/lineage-graphs/nodes/\(appQRI)/actions/expand?level=field&node=\(table)")
            try await check(.get, "/api/v1/lineage-graphs/nodes/{id}/actions/search",
                            "/api/v1/lineage-graphs/nodes/\(appQRI)/actions/search?filter=\(#"label co "customer""#.segment)")
            try await check(.post, "/api/v1/lineage-graphs/nodes/{id}/overview", "/api/v1/lineage-graphs/nodes/\(appQRI)/overview",
                            json: "[\"\(LineageGraph.child(LineageGraph.child(LineageGraph.appQRI(app), "Customers"), "Customer"))\"]")
            try await check(.get, "/api/v1/lineage-graphs/impact/{id}/overview", "/api/v1/lineage-graphs/impact/\(fileQRI.segment)/overview")
            try await check(.get, "/api/v1/lineage-graphs/impact/{id}/source", "/api/v1/lineage-graphs/impact/\(fileQRI.segment)/source")
            try await check(.get, "/api/v1/lineage-graphs/impact/{id}/actions/expand",
                            "/api/v1/lineage-graphs/impact/\(fileQRI.segment)/actions/expand?level=table&node=\(appQRI)")
            try await check(.get, "/api/v1/lineage-graphs/impact/{id}/actions/search",
                            "/api/v1/lineage-graphs/impact/\(fileQRI.segment)/actions/search?filter=\(#"label co "sales""#.segment)")

            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
            #expect(checked == 67)
        }
    }
}
