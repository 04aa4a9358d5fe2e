import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox users and spaces: filters, sort, paging, assignments, 403s")
struct SandboxUserAndSpaceTests {
    @Test("users filter by Qlik's SCIM-like expression", arguments: [
        (#"name co "lopez" or email eq "sam.okafor@sandbox.example""#, 2),
        (#"(status eq "active") and (assignedRoles.name eq "DataAdmin")"#, 1),
        (#"status eq "invited""#, 1),
    ])
    func filter(_ expression: String, _ count: Int) async throws {
        let sandbox = await QlikCloudSandbox.make()
        let domain = try #require(await sandbox.tenant.usersByCreation.first?.email.split(separator: "@").last)
        let query = expression.replacingOccurrences(of: "sandbox.example", with: String(domain)).segment
        try await sandbox.application().test(.router) { client in
            let users = try await client.call(.get, "/api/v1/users?filter=\(query)", key: sandbox.credentials(port: 0).apiKey).data()
            #expect(users.count == count)
        }
    }

    @Test("a filtered list's next link keeps the filter, encoded, so the second page is still filtered")
    func filteredPaging() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let filter = #"status eq "active" or status eq "invited""#.segment
        try await sandbox.application().test(.router) { client in
            let (users, pages) = try await client.collect("/api/v1/users?limit=2&filter=\(filter)", key: sandbox.credentials(port: 0).apiKey)
            #expect(pages == 2)
            #expect(users.count == 4)
        }
    }

    @Test("a filter that is not Qlik's syntax is 400 saying what is expected")
    func badFilter() async throws {
        let sandbox = await QlikCloudSandbox.make()
        try await sandbox.application().test(.router) { client in
            let answer = try await client.call(.get, "/api/v1/users?filter=\(#"name sw "a""#.segment)", key: sandbox.credentials(port: 0).apiKey)
            #expect(answer.status == .badRequest)
            #expect((try Wire.firstError(answer.body)["detail"] as? String)?.contains("eq works on") == true)
        }
    }

    @Test("a filter nesting parentheses past the limit is refused as a bad request, not a stack overflow")
    func deeplyNestedFilter() throws {
        let nested = String(repeating: "(", count: 100_000) + #"name eq "a""# + String(repeating: ")", count: 100_000)
        #expect(throws: QlikErrorResponse.self) { try UserFilter.parse(nested) }
        #expect(throws: Never.self) { try UserFilter.parse(#"((name eq "a") or (email co "b"))"#) }
    }

    @Test("users sort by -name and page over two pages; one user reads by id, an unknown id is 404")
    func sortPageAndGet() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        try await sandbox.application().test(.router) { client in
            let (users, pages) = try await client.collect("/api/v1/users?sort=-name&limit=3", key: key)
            #expect(pages == 2)
            let names = users.compactMap { $0["name"] as? String }
            #expect(names == names.sorted { $0.lowercased() > $1.lowercased() } && names.count == 4)
            let id = try #require(users.first?["id"] as? String)
            #expect(try await client.call(.get, "/api/v1/users/\(id)", key: key).object()["name"] as? String == names.first)
            #expect(try await client.call(.get, "/api/v1/users/000000000000000000000000", key: key).status == .notFound)
        }
    }

    @Test("creating users is for administrators: 201 for one, 403 for a developer")
    func createUser() async throws {
        let setup = try await SandboxWithDeveloper.make()
        try await setup.sandbox.application().test(.router) { client in
            let body = #"{"name":"Ada","email":"ada@example.com","assignedRoles":[{"name":"Developer"}]}"#
            #expect(try await client.call(.post, "/api/v1/users", key: setup.developerKey, json: body).status == .forbidden)
            let created = try await client.call(.post, "/api/v1/users", key: setup.adminKey, json: body)
            #expect(created.status == .created)
            #expect((try created.object()["assignedRoles"] as? [[String: Any]])?.first?["name"] as? String == "Developer")
        }
    }

    @Test("a space is created, renamed by patch and deleted; a second with the same name is 409")
    func spaceLifecycle() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        try await sandbox.application().test(.router) { client in
            let created = try await client.call(.post, "/api/v1/spaces", key: key, json: #"{"name":"Finance","type":"shared"}"#)
            #expect(created.status == .created)
            let id = try #require(try created.object()["id"] as? String)
            #expect(try await client.call(.post, "/api/v1/spaces", key: key, json: #"{"name":"finance","type":"managed"}"#).status == .conflict)
            let patched = try await client.call(.patch, "/api/v1/spaces/\(id)", key: key, json: #"[{"op":"replace","path":"/name","value":"Finance EU"}]"#)
            #expect(try patched.object()["name"] as? String == "Finance EU")
            #expect(try await client.call(.delete, "/api/v1/spaces/\(id)", key: key).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/spaces/\(id)", key: key).status == .notFound)
        }
    }

    @Test("a rename follows the creation's name rules: an empty name or one with '/' is 400, the space keeps its name")
    func spaceRenameRules() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        let space = try #require(await sandbox.tenant.spaces.first { $0.type == "shared" })
        try await sandbox.application().test(.router) { client in
            for bad in ["", "  ", "a/b"] {
                let patch = #"[{"op":"replace","path":"/name","value":"\#(bad)"}]"#
                #expect(try await client.call(.patch, "/api/v1/spaces/\(space.id)", key: key, json: patch).status == .badRequest)
                let put = #"{"name":"\#(bad)"}"#
                #expect(try await client.call(.put, "/api/v1/spaces/\(space.id)", key: key, json: put).status == .badRequest)
            }
            let kept = try await client.call(.get, "/api/v1/spaces/\(space.id)", key: key).object()
            #expect(kept["name"] as? String == space.name)
        }
    }

    @Test("space assignments: roles the space type offers are assigned, listed and removed; others are 400")
    func assignments() async throws {
        let setup = try await SandboxWithDeveloper.make()
        let shared = try #require(await setup.sandbox.tenant.spaces.first { $0.type == "shared" })
        let steward = try #require(await setup.sandbox.tenant.usersByCreation.first { $0.name == "Sam Okafor" })
        try await setup.sandbox.application().test(.router) { client in
            let uri = "/api/v1/spaces/\(shared.id)/assignments"
            let bad = try await client.call(.post, uri, key: setup.adminKey, json: #"{"assigneeId":"\#(steward.id)","type":"user","roles":["publisher"]}"#)
            #expect(bad.status == .badRequest)
            let created = try await client.call(.post, uri, key: setup.adminKey, json: #"{"assigneeId":"\#(steward.id)","type":"user","roles":["consumer"]}"#)
            #expect(created.status == .created)
            let id = try #require(try created.object()["id"] as? String)
            #expect(try await client.call(.get, uri, key: setup.adminKey).data().map { $0["assigneeId"] as? String } == [steward.id])
            #expect(try await client.call(.delete, "\(uri)/\(id)", key: setup.adminKey).status == .noContent)
            #expect(try await client.call(.get, uri, key: setup.adminKey).data().isEmpty)
        }
    }

    @Test("a user who neither owns a space nor is an administrator gets 403 changing it")
    func spaceForbidden() async throws {
        let setup = try await SandboxWithDeveloper.make()
        let managed = try #require(await setup.sandbox.tenant.spaces.first { $0.type == "managed" })
        try await setup.sandbox.application().test(.router) { client in
            let answer = try await client.call(.patch, "/api/v1/spaces/\(managed.id)", key: setup.developerKey,
                                               json: #"[{"op":"replace","path":"/description","value":"x"}]"#)
            #expect(answer.status == .forbidden)
        }
    }
}

@Suite("The REST resources' own state under --data")
struct SandboxRESTStatePersistenceTests {
    @Test("the audit trail keeps the newest events only, dropping the oldest past its limit")
    func auditRetention() async throws {
        let sandbox = await QlikCloudSandbox.make()
        for index in 0...Tenant.auditsKept {
            await sandbox.tenant.recordAudit("com.qlik.v1.app.created", source: "com.qlik/engine", userID: "u", data: ["id": String(index)])
        }
        let audits = await sandbox.tenant.audits
        #expect(audits.count == Tenant.auditsKept)
        #expect(audits.first?.data["id"] == "1")
    }

    @Test("audit events, space assignments and API-key settings come back after a restart; a tenant saved without them opens with none")
    func restart() async throws {
        let directory = try SandboxPersistenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await QlikCloudSandbox.open(dataDirectory: directory)
        let space = try #require(await first.tenant.spaces.first { $0.type == "shared" })
        let user = first.credentials(port: 0).userID
        _ = try await first.tenant.assign(user, type: "user", roles: ["consumer"], to: space.id, by: user)
        await first.tenant.recordAudit("com.qlik.v1.app.created", source: "com.qlik/engine", userID: user, data: ["id": "x"])
        await first.tenant.setAPIKeyConfig(APIKeyConfig(maxAPIKeyExpiry: "P7D", maxKeysPerUser: 2, scimExternalClientExpiry: "P7D"))
        let second = try await QlikCloudSandbox.open(dataDirectory: directory)
        #expect(await second.tenant.assignments(of: space.id).map(\.assigneeID) == [user])
        #expect(await second.tenant.audits.map(\.eventType) == ["com.qlik.v1.app.created"])
        #expect(await second.tenant.apiKeyConfig.maxKeysPerUser == 2)

        // A tenant saved before the REST resources kept state: its snapshot has no "rest" key.
        let store = try TenantStore(directory: directory)
        var snapshot = await second.tenant.snapshot()
        snapshot.rest = nil
        try store.save(snapshot)
        let third = try await QlikCloudSandbox.open(dataDirectory: directory)
        #expect(await third.tenant.audits.isEmpty)
        #expect(await third.tenant.apiKeyConfig.maxKeysPerUser == APIKeyConfig().maxKeysPerUser)
    }
}
