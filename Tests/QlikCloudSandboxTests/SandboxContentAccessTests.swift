import Foundation
import HummingbirdWSClient
import Testing
@testable import QlikCloudSandbox

/// Who sees what: personal content is its owner's alone, a space is seen by its owner, its members and
/// the administrators of its kind, and what a caller cannot see answers as if it did not exist.
@Suite("Sandbox access control of personal content and spaces")
struct SandboxContentAccessTests {
    /// A user with no administrator role and no space of their own, and their API key.
    private static func outsider(in sandbox: QlikCloudSandbox, roles: [String] = ["Developer"]) async -> (id: String, key: String) {
        let user = await sandbox.tenant.addUser(name: "Ola Nilsen", email: "ola.nilsen@example.com", roles: roles)
        return (user.id, await sandbox.tenant.addAPIKey(for: user.id).token)
    }

    @Test("another user's personal app answers 404 on every app route, to a tenant admin too, and 200 to its owner")
    func personalAppRoutes() async throws {
        let setup = try await SandboxWithDeveloper.make()
        let app = await setup.sandbox.tenant.addApp(name: "Maria's draft", description: "", spaceID: nil, ownerID: setup.developerID)
        try await setup.sandbox.application().test(.router) { client async throws in
            let base = "/api/v1/apps/\(app.id)"
            for path in [base, "\(base)/scripts", "\(base)/scripts/current", "\(base)/data/metadata", "\(base)/data/lineage", "\(base)/media/thumbnail"] {
                #expect(try await client.call(.get, path, key: setup.adminKey).status == .notFound, "\(path)")
                #expect(try await client.call(.get, path, key: setup.developerKey).status == .ok, "\(path)")
            }
            #expect(try await client.call(.put, base, key: setup.adminKey, json: #"{"attributes":{"name":"x"}}"#).status == .notFound)
            #expect(try await client.call(.post, "\(base)/copy", key: setup.adminKey, json: #"{"attributes":{"name":"x"}}"#).status == .notFound)
            #expect(try await client.call(.post, "\(base)/scripts", key: setup.adminKey, json: #"{"script":"X: LOAD 1 AS A AUTOGENERATE 1;"}"#).status == .notFound)
            #expect(try await client.call(.post, "/api/v1/reloads", key: setup.adminKey, json: #"{"appId":"\#(app.id)"}"#).status == .notFound)
            #expect(try await client.call(.delete, base, key: setup.adminKey).status == .notFound)
            #expect(await setup.sandbox.tenant.app(app.id)?.name == "Maria's draft")
        }
    }

    @Test("a load script reads its owner's personal data files, never another user's of the same name")
    func personalDataFilesInReloads() async throws {
        let setup = try await SandboxWithDeveloper.make()
        let tenant = setup.sandbox.tenant
        let admin = try #require(await tenant.usersByCreation.first { $0.isTenantAdmin })
        _ = try await tenant.addDataFile(name: "salaries.csv", content: Array("Name,Pay\nMaria,100\n".utf8), ownerID: setup.developerID,
                                         connectionID: nil, large: false)
        let script = "Pay: LOAD Name, Pay FROM [lib://DataFiles/salaries.csv] (txt, utf8, embedded labels, delimiter is ',');"
        let prying = await tenant.addApp(name: "Admin's app", spaceID: nil, ownerID: admin.id, script: script)
        let own = await tenant.addApp(name: "Maria's app", spaceID: nil, ownerID: setup.developerID, script: script)
        #expect(await tenant.reloadNow(appID: prying.id, userID: admin.id)?.status == "FAILED")
        #expect(await tenant.reloadNow(appID: own.id, userID: setup.developerID)?.status == "SUCCEEDED")
    }

    @Test("another user's reloads are neither listed nor read by id")
    func personalReloads() async throws {
        let setup = try await SandboxWithDeveloper.make()
        let app = await setup.sandbox.tenant.addApp(name: "Maria's draft", description: "", spaceID: nil, ownerID: setup.developerID)
        let reload = try await setup.sandbox.tenant.queueReload(appID: app.id, userID: setup.developerID, partial: false)
        try await setup.sandbox.application().test(.router) { client async throws in
            #expect(!(try await client.call(.get, "/api/v1/reloads?limit=100", key: setup.adminKey).data().contains { $0["id"] as? String == reload.id }))
            #expect(try await client.call(.get, "/api/v1/reloads/\(reload.id)", key: setup.adminKey).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/reloads/\(reload.id)", key: setup.developerKey).status == .ok)
        }
    }

    @Test("the engine refuses another user's personal app: at the WebSocket upgrade, in OpenDoc (1003), and GetDocList leaves it out")
    func personalAppEngine() async throws {
        let setup = try await SandboxWithDeveloper.make()
        let app = await setup.sandbox.tenant.addApp(name: "Maria's draft", description: "", spaceID: nil, ownerID: setup.developerID)
        let admin = try #require(await setup.sandbox.tenant.usersByCreation.first { $0.isTenantAdmin })
        var session = EngineConversation(tenant: setup.sandbox.tenant, appID: app.id, userID: admin.id)
        let open = await EngineConversationTests.call(&session, 1, "OpenDoc", [app.id])
        #expect((open["error"] as? [String: Any])?["code"] as? Int == 1003)
        let list = ((await EngineConversationTests.call(&session, 2, "GetDocList"))["result"] as? [String: Any])?["qDocList"] as? [[String: Any]]
        #expect(list?.contains { $0["qDocId"] as? String == app.id } == false)
        try await withLiveSandbox(setup.sandbox) { credentials in
            let url = credentials.baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/app/\(app.id)"
            await #expect(throws: (any Error).self) {
                try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: [.authorization: "Bearer \(setup.adminKey)"]),
                                                  logger: EngineWebSocketTests.logger) { _, _, _ in }
            }
        }
    }

    @Test("a user lists only the spaces it owns or is assigned to; a tenant admin lists every space")
    func spaceList() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let admin = sandbox.credentials(port: 0)
        let outsider = await Self.outsider(in: sandbox)
        let sales = try #require(await sandbox.tenant.spaces.first { $0.name == "Sales" })
        try await sandbox.application().test(.router) { client async throws in
            #expect(try await client.call(.get, "/api/v1/spaces", key: outsider.key).data().isEmpty)
            let all = try await client.call(.get, "/api/v1/spaces?limit=100", key: admin.apiKey).data()
            #expect(Set(all.compactMap { $0["id"] as? String }) == Set(await sandbox.tenant.spaces.map(\.id)))
            _ = try await sandbox.tenant.assign(outsider.id, type: "user", roles: ["consumer"], to: sales.id, by: admin.userID)
            #expect(try await client.call(.get, "/api/v1/spaces", key: outsider.key).data().compactMap { $0["id"] as? String } == [sales.id])
        }
    }

    @Test("a space the caller does not see answers 404 for itself, its assignments, its apps and items; as a member, 200")
    func hiddenSpace() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let admin = sandbox.credentials(port: 0)
        let outsider = await Self.outsider(in: sandbox)
        let sales = try #require(await sandbox.tenant.spaces.first { $0.name == "Sales" })
        let app = try #require(await sandbox.tenant.apps.first { $0.spaceID == sales.id })
        let paths = ["/api/v1/spaces/\(sales.id)", "/api/v1/spaces/\(sales.id)/assignments", "/api/v1/apps/\(app.id)"]
        try await sandbox.application().test(.router) { client async throws in
            for path in paths { #expect(try await client.call(.get, path, key: outsider.key).status == .notFound, "\(path)") }
            #expect(try await client.call(.get, "/api/v1/items?spaceId=\(sales.id)", key: outsider.key).data().isEmpty)
            _ = try await sandbox.tenant.assign(outsider.id, type: "user", roles: ["consumer"], to: sales.id, by: admin.userID)
            for path in paths { #expect(try await client.call(.get, path, key: outsider.key).status == .ok, "\(path)") }
            #expect(try await client.call(.get, "/api/v1/items?spaceId=\(sales.id)", key: outsider.key).data().contains { $0["resourceId"] as? String == app.id })
        }
    }

    @Test("AnalyticsAdmin sees every shared and managed space, DataAdmin every data space, without being members")
    func adminRoles() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let analytics = await Self.outsider(in: sandbox, roles: ["AnalyticsAdmin"])
        let data = await sandbox.tenant.addAPIKey(for: (await sandbox.tenant.addUser(name: "Dana", email: "dana@example.com", roles: ["DataAdmin"])).id).token
        let spaces = await sandbox.tenant.spaces
        try await sandbox.application().test(.router) { client async throws in
            let seenByAnalytics = Set(try await client.call(.get, "/api/v1/spaces?limit=100", key: analytics.key).data().compactMap { $0["id"] as? String })
            #expect(seenByAnalytics == Set(spaces.filter { $0.type != "data" }.map(\.id)))
            let seenByData = Set(try await client.call(.get, "/api/v1/spaces?limit=100", key: data).data().compactMap { $0["id"] as? String })
            #expect(seenByData == Set(spaces.filter { $0.type == "data" }.map(\.id)))
        }
    }

    @Test("data-files with includeAllSpaces lists only the files of spaces the caller sees; another's file by id is 404")
    func dataFiles() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let outsider = await Self.outsider(in: sandbox)
        let file = try #require(await sandbox.tenant.dataFiles.first { $0.spaceID != nil })
        try await sandbox.application().test(.router) { client async throws in
            #expect(try await client.call(.get, "/api/v1/data-files?includeAllSpaces=true", key: outsider.key).data().isEmpty)
            #expect(try await client.call(.get, "/api/v1/data-files/\(file.id)", key: outsider.key).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/data-files/\(file.id)", key: sandbox.credentials(port: 0).apiKey).status == .ok)
        }
    }

    @Test("lineage-graphs and data-sets answer 404 for another user's personal app and for files of a space the caller does not see")
    func lineageAndDataSets() async throws {
        let setup = try await SandboxWithDeveloper.make()
        let app = await setup.sandbox.tenant.addApp(name: "Maria's draft", description: "", spaceID: nil, ownerID: setup.developerID)
        let outsider = await Self.outsider(in: setup.sandbox)
        let file = try #require(await setup.sandbox.tenant.dataFiles.first { $0.spaceID != nil })
        let appNode = "/api/v1/lineage-graphs/nodes/\(LineageGraph.appQRI(app.id).segment)"
        let fileNode = "/api/v1/lineage-graphs/impact/\(LineageGraph.datasetQRI(fileID: file.id, spaceID: file.spaceID, ownerID: file.ownerID).segment)/overview"
        try await setup.sandbox.application().test(.router) { client async throws in
            #expect(try await client.call(.get, appNode, key: setup.adminKey).status == .notFound)
            #expect(try await client.call(.get, appNode, key: setup.developerKey).status == .ok)
            #expect(try await client.call(.get, fileNode, key: outsider.key).status == .notFound)
            #expect(try await client.call(.get, fileNode, key: setup.adminKey).status == .ok)
            #expect(try await client.call(.get, "/api/v1/data-sets/\(file.id)", key: outsider.key).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/data-sets/\(file.id)", key: setup.adminKey).status == .ok)
        }
    }
}
