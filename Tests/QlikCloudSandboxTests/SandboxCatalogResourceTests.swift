import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox items, apps, data sets, audits and the tenant")
struct SandboxCatalogResourceTests {
    @Test("items filter by resourceType, personal space, owner and query, and sort by -name")
    func itemFilters() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let credentials = sandbox.credentials(port: 0)
        try await sandbox.application().test(.router) { client in
            let datasets = try await client.call(.get, "/api/v1/items?resourceType=dataset", key: credentials.apiKey).data()
            #expect(Set(datasets.compactMap { $0["name"] as? String }).isSuperset(of: ["orders.csv", "customers.csv", "products.qvd"]))
            #expect(datasets.allSatisfy { $0["resourceSubType"] as? String == "qix-df" })
            let personal = try await client.call(.get, "/api/v1/items?resourceType=app&spaceId=personal", key: credentials.apiKey).data()
            #expect(personal.map { $0["name"] as? String } == ["Personal Scratchpad"])
            let owned = try await client.call(.get, "/api/v1/items?resourceType=app&ownerId=\(credentials.userID)", key: credentials.apiKey).data()
            #expect(owned.allSatisfy { $0["ownerId"] as? String == credentials.userID } && !owned.isEmpty)
            let found = try await client.call(.get, "/api/v1/items?query=dashboard", key: credentials.apiKey).data()
            #expect(found.map { $0["name"] as? String } == ["Sales Dashboard"])
            let sorted = try await client.call(.get, "/api/v1/items?resourceType=app&sort=-name", key: credentials.apiKey).data().compactMap { $0["name"] as? String }
            #expect(sorted == sorted.sorted { $0.lowercased() > $1.lowercased() } && sorted.count >= 3)
        }
    }

    @Test("items show another user's personal apps to nobody else, in lists or by id")
    func personalItemsStayPersonal() async throws {
        let setup = try await SandboxWithDeveloper.make()
        let app = await setup.sandbox.tenant.addApp(name: "Maria's draft", description: "", spaceID: nil, ownerID: setup.developerID)
        try await setup.sandbox.application().test(.router) { client in
            let own = try await client.call(.get, "/api/v1/items?resourceType=app&limit=100", key: setup.developerKey).data()
            #expect(own.contains { $0["resourceId"] as? String == app.id })
            let others = try await client.call(.get, "/api/v1/items?resourceType=app&limit=100", key: setup.adminKey).data()
            #expect(!others.contains { $0["resourceId"] as? String == app.id })
            let itemID = try #require(own.first { $0["resourceId"] as? String == app.id }?["id"] as? String)
            #expect(try await client.call(.get, "/api/v1/items/\(itemID)", key: setup.adminKey).status == .notFound)
        }
    }

    @Test("items page over two pages, and one item reads by id")
    func itemPaging() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        try await sandbox.application().test(.router) { client in
            let (items, pages) = try await client.collect("/api/v1/items?limit=4", key: key)
            #expect(pages == 2)
            #expect(Set(items.compactMap { $0["id"] as? String }).count == items.count)
            let id = try #require(items.first?["id"] as? String)
            #expect(try await client.call(.get, "/api/v1/items/\(id)", key: key).object()["id"] as? String == id)
        }
    }

    @Test("an app copy has the source's script and data, its script history lists versions newest first, and its thumbnail is a PNG")
    func appCopyScriptsThumbnail() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        let source = try #require(await sandbox.appID(named: "Sales Analysis"))
        try await sandbox.application().test(.router) { client in
            let copy = try await client.call(.post, "/api/v1/apps/\(source)/copy", key: key, json: #"{"attributes":{"name":"Analysis copy"}}"#)
            let id = try #require((try copy.object()["attributes"] as? [String: Any])?["id"] as? String)
            let (original, copied) = (await sandbox.tenant.app(source), await sandbox.tenant.app(id))
            #expect(copied?.script == original?.script && copied?.dataModel == original?.dataModel)
            for message in ["first", "second"] {
                _ = try await client.call(.post, "/api/v1/apps/\(id)/scripts", key: key, json: #"{"script":"X: LOAD 1 AS A AUTOGENERATE 1;","versionMessage":"\#(message)"}"#)
            }
            let scripts = try #require(try await client.call(.get, "/api/v1/apps/\(id)/scripts", key: key).object()["scripts"] as? [[String: Any]])
            // The copy keeps the source's history, below its own new versions.
            #expect(scripts.map { $0["versionMessage"] as? String } == ["second", "first"] + (original?.scriptVersions.reversed().map(\.message) ?? []))
            let version = try #require(scripts.first?["scriptId"] as? String)
            #expect(try await client.call(.get, "/api/v1/apps/\(id)/scripts/\(version)", key: key).object()["versionMessage"] as? String == "second")
            let thumbnail = try await client.call(.get, "/api/v1/apps/\(id)/media/thumbnail", key: key)
            #expect(thumbnail.headers[.contentType] == "image/png")
            #expect(Array(buffer: thumbnail.body).prefix(4) == [0x89, 0x50, 0x4E, 0x47])
        }
    }

    @Test("an app object's owner changes through change-owner; an unknown user is 400 and an unknown object 404")
    func objectOwner() async throws {
        let setup = try await SandboxWithDeveloper.make()
        let app = try #require(await setup.sandbox.appID(named: "Sales Analysis"))
        let sheet = try #require(await setup.sandbox.tenant.app(app)?.objects.items.first { $0.type == "sheet" }?.id)
        let uri = "/api/v1/apps/\(app)/objects/\(sheet)/actions/change-owner"
        try await setup.sandbox.application().test(.router) { client in
            let changed = try await client.call(.post, uri, key: setup.adminKey, json: #"{"ownerId":"\#(setup.developerID)"}"#)
            #expect((try changed.object()["attributes"] as? [String: Any])?["ownerId"] as? String == setup.developerID)
            #expect(await setup.sandbox.tenant.app(app)?.objects.object(sheet)?.ownerID == setup.developerID)
            #expect(try await client.call(.post, uri, key: setup.adminKey, json: #"{"ownerId":"nobody"}"#).status == .badRequest)
            #expect(try await client.call(.post, "/api/v1/apps/\(app)/objects/nope/actions/change-owner", key: setup.adminKey,
                                          json: #"{"ownerId":"\#(setup.developerID)"}"#).status == .notFound)
        }
    }

    @Test("each data file is a data set in its connection's data store, with its schema and the lineage graph's QRI")
    func dataSets() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        let file = try #require(await sandbox.tenant.dataFiles.first { $0.name == "customers.csv" })
        try await sandbox.application().test(.router) { client in
            let stores = try await client.call(.get, "/api/v1/data-stores", key: key).data()
            #expect(stores.contains { $0["id"] as? String == file.connectionID && $0["type"] as? String == "qix-datafiles" })
            let assets = try await client.call(.get, "/api/v1/data-stores/\(file.connectionID)/data-assets", key: key).data()
            #expect(assets.contains { $0["id"] as? String == file.id })
            let set = try await client.call(.get, "/api/v1/data-sets/\(file.id)", key: key).object()
            #expect(set["secureQri"] as? String == LineageGraph.datasetQRI(fileID: file.id, spaceID: file.spaceID, ownerID: file.ownerID))
            let fields = try #require((set["schema"] as? [String: Any])?["dataFields"] as? [[String: Any]])
            #expect(fields.first?["name"] as? String == "CustomerID")
        }
    }

    @Test("the audit trail records app creation and deletion, filters by type and time, and is for administrators only")
    func audits() async throws {
        let setup = try await SandboxWithDeveloper.make()
        try await setup.sandbox.application().test(.router) { client in
            let before = JSONResponse.timestamp(setup.sandbox.tenant.clock().addingTimeInterval(-1))
            let created = try await client.call(.post, "/api/v1/apps", key: setup.developerKey, json: #"{"attributes":{"name":"Audited"}}"#)
            let id = try #require((try created.object()["attributes"] as? [String: Any])?["id"] as? String)
            _ = try await client.call(.delete, "/api/v1/apps/\(id)", key: setup.developerKey)
            let range = "\(before)/\(JSONResponse.timestamp(setup.sandbox.tenant.clock().addingTimeInterval(1)))".segment
            let events = try await client.call(.get, "/api/v1/audits?eventTime=\(range)&source=com.qlik%2Fengine", key: setup.adminKey).data()
            #expect(events.map { $0["eventType"] as? String } == ["com.qlik.v1.app.deleted", "com.qlik.v1.app.created"])
            #expect(events.allSatisfy { $0["userId"] as? String == setup.developerID })
            let deleted = try await client.call(.get, "/api/v1/audits?eventType=com.qlik.v1.app.deleted", key: setup.adminKey).data()
            #expect(deleted.count == 1)
            #expect(try await client.call(.get, "/api/v1/audits", key: setup.developerKey).status == .forbidden)
        }
    }

    @Test("tenants/me names the caller's tenant; only an administrator renames it; another tenant id is 404")
    func tenant() async throws {
        let setup = try await SandboxWithDeveloper.make()
        let id = setup.sandbox.tenant.tenantID
        try await setup.sandbox.application().test(.router) { client async throws in
            #expect(try await client.call(.get, "/api/v1/tenants/me", key: setup.developerKey).object()["id"] as? String == id)
            let rename = #"[{"op":"replace","path":"/name","value":"Renamed"}]"#
            #expect(try await client.call(.patch, "/api/v1/tenants/\(id)", key: setup.developerKey, json: rename).status == .forbidden)
            #expect(try await client.call(.patch, "/api/v1/tenants/\(id)", key: setup.adminKey, json: rename).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/tenants/\(id)", key: setup.developerKey).object()["name"] as? String == "Renamed")
            #expect(try await client.call(.get, "/api/v1/tenants/000000000000000000000000", key: setup.adminKey).status == .notFound)
        }
    }

    @Test("an unknown path is 404 in Qlik's error shape, after the token is checked", arguments: [HTTPRequest.Method.get, .post, .delete])
    func unknownPath(_ method: HTTPRequest.Method) async throws {
        let sandbox = await QlikCloudSandbox.make()
        try await sandbox.application().test(.router) { client in
            let answer = try await client.call(method, "/api/v1/no-such-resource/42", key: sandbox.credentials(port: 0).apiKey)
            #expect(answer.status == .notFound)
            #expect(try Wire.firstError(answer.body)["title"] as? String == "Not Found")
            #expect(try await client.call(method, "/api/v1/no-such-resource/42", key: "wrong").status == .unauthorized)
        }
    }
}
