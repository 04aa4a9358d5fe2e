import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import QVD
import Testing
@testable import QlikCloudSandbox

@Suite("The default sandbox tenant: users, spaces, sample files and reloaded apps")
struct SandboxDefaultTenantTests {
    /// The tags the engine gives a field of one of the app's tables.
    static func tags(_ model: DataModel, _ table: String, _ field: String) throws -> [String] {
        let table = try #require(model.table(table))
        let column = try #require(table.fields.firstIndex(of: field).map { table.columns[$0] })
        return EngineViews.tags(column.filter { !$0.isNull })
    }

    static func values(_ model: DataModel, _ table: String, _ field: String) throws -> [QlikValue] {
        let table = try #require(model.table(table))
        return try #require(table.fields.firstIndex(of: field).map { table.columns[$0] })
    }

    @Test("a shared, a managed and a data space; four users with Qlik's roles, listed by GET /users; the sample files in the data space")
    func contents() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let tenant = sandbox.tenant
        let spaces = await tenant.spaces
        #expect(spaces.map(\.name) == ["Sales", "Sales Published", "Sales Data"])
        #expect(spaces.map(\.type) == ["shared", "managed", "data"])
        let users = await tenant.usersByCreation
        #expect(users.map(\.name) == ["Sandbox Admin", "Maria Lopez", "Sam Okafor", "Lena Fischer"])
        #expect(users.first?.id == sandbox.credentials(port: 0).userID)
        #expect(users.map(\.status) == ["active", "active", "active", "invited"])
        let data = try #require(spaces.last)
        let files = await tenant.dataFiles
        #expect(files.map(\.name) == ["orders.csv", "customers.csv", "products.qvd"])
        #expect(files.allSatisfy { $0.spaceID == data.id && $0.connectionID == "datafiles-\(data.id)" && $0.ownerID == users[2].id })
        #expect(try QVDReader(source: QVDMemory(try #require(files.last?.content))).fieldNames == ["ProductID", "ProductName", "Category", "UnitPrice"])
        let key = sandbox.credentials(port: 0).apiKey
        try await sandbox.application().test(.router) { client in
            var listed: [[String: Any]] = []
            var uri = "/api/v1/users?limit=3"
            while true {
                let body = try await client.execute(uri: uri, method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                    #expect(response.status == .ok)
                    return try Wire.json(response.body)
                }
                listed += try #require(body["data"] as? [[String: Any]])
                guard let next = ((body["links"] as? [String: Any])?["next"] as? [String: Any])?["href"] as? String, let url = URL(string: next) else { break }
                uri = url.path + "?" + (url.query ?? "")
            }
            #expect(listed.map { $0["email"] as? String } == users.map(\.email))
            let roles = listed.map { ($0["assignedRoles"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } }
            #expect(roles == [["TenantAdmin"], ["Developer", "SharedSpaceCreator", "ManagedSpaceCreator"], ["DataAdmin", "DataSpaceCreator"], []])
            #expect((listed.first?["assignedRoles"] as? [[String: Any]])?.first?["level"] as? String == "admin")
        }
    }

    @Test("three apps, each reloaded at seeding: a SUCCEEDED reload with its log, data, a description, and the time on the app and its item")
    func reloadedApps() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let apps = await sandbox.tenant.apps
        let spaces = await sandbox.tenant.spaces
        #expect(apps.map(\.name) == ["Sales Analysis", "Sales Dashboard", "Personal Scratchpad"])
        #expect(apps.map(\.spaceID) == [spaces[0].id, spaces[1].id, nil])
        #expect(apps.allSatisfy { !$0.description.isEmpty && !$0.script.isEmpty && $0.scriptVersions.count == 1 })
        #expect(apps.map { $0.dataModel.tables.map(\.name) } == [["Orders", "Customers", "Products", "Regions"], ["Revenue", "Customers", "Regions"], ["Targets"]])
        let reloads = await sandbox.tenant.reloads
        #expect(reloads.map(\.appID) == apps.map(\.id))
        #expect(reloads.allSatisfy { $0.status == "SUCCEEDED" && $0.log.contains("Finished successfully") && $0.endTime != nil })
        #expect(apps.allSatisfy { $0.lastReloadTime != nil && $0.lastReload?.succeeded == true })
        let key = sandbox.credentials(port: 0).apiKey
        try await sandbox.application().test(.router) { client in
            for (app, reload) in zip(apps, reloads) {
                let ended = JSONResponse.timestamp(try #require(reload.endTime))
                try await client.execute(uri: "/api/v1/apps/\(app.id)", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                    let attributes = try #require(Wire.json(response.body)["attributes"] as? [String: Any])
                    #expect(attributes["lastReloadTime"] as? String == ended && attributes["description"] as? String == app.description)
                }
                try await client.execute(uri: "/api/v1/items?resourceType=app&resourceId=\(app.id)", method: .get, headers: Wire.bearer(key)) {
                    (response: TestResponse) throws in
                    let item = try #require((Wire.json(response.body)["data"] as? [[String: Any]])?.first)
                    #expect(item["resourceReloadEndTime"] as? String == ended && item["resourceReloadStatus"] as? String == "ok")
                    #expect((item["resourceAttributes"] as? [String: Any])?["lastReloadTime"] as? String == ended)
                }
            }
        }
    }

    @Test("Sales Analysis: tables associated by CustomerID, ProductID and Country, with whole and decimal numbers, texts, dates and NULLs")
    func associatedTables() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let model = try #require(await sandbox.tenant.apps.first { $0.name == "Sales Analysis" }?.dataModel)
        #expect(model.tables.map(\.rowCount) == [120, 12, 8, 12])
        let keys = (EngineViews.tablesAndKeys(model)["qk"] as? [[String: Any]] ?? []).map { ($0["qKeyFields"] as? [String] ?? [], $0["qTables"] as? [String] ?? []) }
        #expect(keys.map(\.0) == [["Country"], ["CustomerID"], ["ProductID"]])
        #expect(keys.map(\.1) == [["Customers", "Regions"], ["Orders", "Customers"], ["Orders", "Products"]])
        // Every order's customer and product is there to associate with, and every customer's country has a region.
        #expect(Set(try Self.values(model, "Orders", "CustomerID")) == Set(try Self.values(model, "Customers", "CustomerID")))
        #expect(Set(try Self.values(model, "Orders", "ProductID")) == Set(try Self.values(model, "Products", "ProductID")))
        #expect(Set(try Self.values(model, "Customers", "Country")) == Set(try Self.values(model, "Regions", "Country")))

        #expect(try Self.tags(model, "Orders", "OrderDate") == ["$numeric", "$integer", "$timestamp", "$date"])
        #expect(try Self.tags(model, "Orders", "Quantity") == ["$numeric", "$integer"])
        #expect(try Self.tags(model, "Orders", "Amount") == ["$numeric"])
        #expect(try Self.tags(model, "Products", "UnitPrice") == ["$numeric"])
        #expect(try Self.tags(model, "Orders", "Channel") == ["$ascii", "$text"])
        #expect(try Self.tags(model, "Customers", "Customer") == ["$text"], "Café Lumière is not ASCII")
        for (table, field, nulls) in [("Orders", "Discount", 83), ("Orders", "ShipDate", 8), ("Customers", "City", 2)] {
            #expect(try Self.values(model, table, field).filter(\.isNull).count == nulls, "\(table).\(field)")
        }
        // The first order, value for value: the data is the same in every sandbox.
        let first = try #require(model.table("Orders")).columns.map { $0[0] }
        let ordered = try #require(QlikValue.date(year: 2024, month: 1, day: 1)), shipped = try #require(QlikValue.date(year: 2024, month: 1, day: 2))
        #expect(first == [.integer(10_001), ordered, .integer(1), .integer(101), .integer(1), .double(0.1), .double(80.91), shipped, .text("Web")])
        #expect(await QlikCloudSandbox.make().tenant.apps.first?.dataModel == model)
    }

    @Test("reloading a default app (POST /reloads) rebuilds the same data model and moves its reload time on the app and its item")
    func reloadRebuilds() async throws {
        let clock = SandboxIdentityTests.ManualClock()
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(), clock: { clock.now })
        let key = sandbox.credentials(port: 0).apiKey
        let apps = await sandbox.tenant.apps
        let json: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
        clock.advance(3600)
        let reloadedAt = JSONResponse.timestamp(clock.now)
        try await sandbox.application().test(.router) { client in
            for app in apps {
                let id = try await client.execute(uri: "/api/v1/reloads", method: .post, headers: json, body: ByteBuffer(string: #"{"appId":"\#(app.id)"}"#)) {
                    (response: TestResponse) throws in try #require(try Wire.json(response.body)["id"] as? String)
                }
                let final = try await SandboxReloadTests.finalState(client, reload: id, key: key)
                #expect(final["status"] as? String == "SUCCEEDED", "\(final["log"] ?? "")")
                #expect(await sandbox.tenant.app(app.id)?.dataModel == app.dataModel, "\(app.name)")
                try await client.execute(uri: "/api/v1/apps/\(app.id)", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                    #expect((try Wire.json(response.body)["attributes"] as? [String: Any])?["lastReloadTime"] as? String == reloadedAt)
                }
                try await client.execute(uri: "/api/v1/items?resourceId=\(app.id)", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                    let item = try #require((Wire.json(response.body)["data"] as? [[String: Any]])?.first)
                    #expect(item["resourceReloadEndTime"] as? String == reloadedAt && item["resourceReloadStatus"] as? String == "ok")
                    #expect((item["resourceAttributes"] as? [String: Any])?["lastReloadTime"] as? String == reloadedAt)
                }
            }
        }
    }

    @Test("a reload through the engine (DoReload) records its time; a failed one keeps the data and the last good time, and the item says it failed")
    func engineReload() async throws {
        let clock = SandboxIdentityTests.ManualClock()
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(), clock: { clock.now })
        let app = try #require(await sandbox.tenant.apps.first)
        // The app's owner: a reload reads the data files its user sees, and this app's are in its owner's spaces.
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: app.ownerID)
        _ = await EngineConversationTests.call(&session, 1, "OpenDoc", [app.id])
        clock.advance(60)
        let good = await EngineConversationTests.call(&session, 2, "DoReload", handle: 1, [0, false, false])
        #expect((good["result"] as? [String: Any])?["qReturn"] as? Bool == true)
        let reloaded = try #require(await sandbox.tenant.app(app.id))
        #expect(reloaded.dataModel == app.dataModel)
        #expect(reloaded.lastReloadTime == clock.now && reloaded.lastReload == ReloadMark(endTime: clock.now, succeeded: true))

        let goodTime = clock.now
        clock.advance(60)
        _ = await EngineConversationTests.call(&session, 3, "SetScript", handle: 1, ["T: LOAD * FROM [lib://Nowhere:DataFiles/orders.csv] (txt);"])
        let bad = await EngineConversationTests.call(&session, 4, "DoReload", handle: 1, [0, false, false])
        #expect((bad["result"] as? [String: Any])?["qReturn"] as? Bool == false)
        let failed = try #require(await sandbox.tenant.app(app.id))
        #expect(failed.dataModel == app.dataModel && failed.lastReloadTime == goodTime)
        #expect(failed.lastReload == ReloadMark(endTime: clock.now, succeeded: false))
        let item = ItemView(failed, tenantID: "t", origin: "http://x")
        #expect(item.resourceReloadStatus == "error" && item.resourceReloadEndTime == JSONResponse.timestamp(clock.now))
        #expect(AppAttributesView(failed).lastReloadTime == JSONResponse.timestamp(goodTime))
    }

    @Test("a generated app keeps its table as a QVD data file its script loads, so a reload rebuilds the same table; names stay unique")
    func generatedAppReloads() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let id = await sandbox.addGeneratedApp(rows: 3000, columns: 7, seed: 4)
        let again = await sandbox.addGeneratedApp(rows: 10, columns: 2, seed: 1)
        let app = try #require(await sandbox.tenant.app(id))
        #expect(app.dataModel == DataModel(tables: [LargeAppGenerator.table(rows: 3000, columns: 7, seed: 4)]))
        #expect(app.script == "Facts:\nLOAD * FROM [lib://DataFiles/Generated.qvd] (qvd);")
        #expect(await sandbox.tenant.app(again)?.script.contains("[lib://DataFiles/Generated-2.qvd]") == true)
        let files = await sandbox.tenant.dataFiles.filter { $0.spaceID == nil }
        #expect(files.map(\.name) == ["Generated.qvd", "Generated-2.qvd"])
        let reload = try #require(await sandbox.tenant.reloadNow(appID: id, userID: app.ownerID))
        #expect(reload.status == "SUCCEEDED", "\(reload.log)")
        #expect(reload.log.contains("Lines fetched: 3000"))
        #expect(await sandbox.tenant.app(id)?.dataModel == app.dataModel)
        #expect(await sandbox.tenant.app(again)?.dataModel.tables.first?.rowCount == 10)
    }

    @Test("app names that cannot go inside [ ] make safe data file names")
    func generatedFileNames() {
        #expect(Tenant.fileName(for: "Generated 1000000x10 seed 1") == "Generated 1000000x10 seed 1.qvd")
        #expect(Tenant.fileName(for: "Big] [x/y:z") == "Big_ _x_y_z.qvd")
        #expect(Tenant.fileName(for: "  ") == "Generated.qvd")
    }
}
