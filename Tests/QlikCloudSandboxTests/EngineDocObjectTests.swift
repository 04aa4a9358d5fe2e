import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: the app's objects through Doc and GenericObject")
struct EngineDocObjectTests {
    /// A session on the default tenant's app `name`, its document open.
    static func session(_ name: String = "Sales Analysis") async throws -> (EngineConversation, QlikCloudSandbox, SandboxApp) {
        let sandbox = await QlikCloudSandbox.make()
        let app = try #require(await sandbox.tenant.apps.first { $0.name == name })
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: app.ownerID)
        _ = await EngineConversationTests.call(&session, 1, "OpenDoc", [app.id])
        return (session, sandbox, app)
    }

    static func result(_ answer: [String: Any]) throws -> [String: Any] {
        try #require(answer["result"] as? [String: Any], "no result in \(answer)")
    }

    /// The handle of a `qReturn`.
    static func handle(_ answer: [String: Any]) throws -> Int {
        try #require((try result(answer)["qReturn"] as? [String: Any])?["qHandle"] as? Int)
    }

    static func layout(_ session: inout EngineConversation, _ handle: Int) async throws -> [String: Any] {
        try #require(try result(await EngineConversationTests.call(&session, 90, "GetLayout", handle: handle))["qLayout"] as? [String: Any])
    }

    @Test("GetAllInfos lists every object's id and type")
    func allInfos() async throws {
        var (session, _, _) = try await Self.session()
        let infos = try #require(try Self.result(await EngineConversationTests.call(&session, 2, "GetAllInfos", handle: 1))["qInfos"] as? [[String: String]])
        #expect(infos.contains(["qId": "sheet-overview", "qType": "sheet"]) && infos.contains(["qId": "dim-region", "qType": "dimension"]))
        #expect(infos.contains(["qId": "LoadModel", "qType": "LoadModel"]) && infos.count > 20)
    }

    @Test("GetObject opens a sheet; its layout has qMeta (title, published, owner) and qChildList entries with qData")
    func sheetLayout() async throws {
        var (session, _, app) = try await Self.session()
        let opened = try #require(try Self.result(await EngineConversationTests.call(&session, 2, "GetObject", handle: 1, ["qId": "sheet-overview"]))["qReturn"] as? [String: Any])
        #expect(opened["qType"] as? String == "GenericObject" && opened["qGenericType"] as? String == "sheet" && opened["qGenericId"] as? String == "sheet-overview")
        let handle = try #require(opened["qHandle"] as? Int)
        let again = try Self.handle(await EngineConversationTests.call(&session, 3, "GetObject", handle: 1, ["sheet-overview"]))
        #expect(again == handle, "one handle per object and session")
        let layout = try await Self.layout(&session, handle)
        let meta = try #require(layout["qMeta"] as? [String: Any])
        #expect(meta["title"] as? String == "Sales overview" && meta["published"] as? Bool == true && meta["ownerId"] as? String == app.ownerID)
        #expect((layout["qInfo"] as? [String: String]) == ["qId": "sheet-overview", "qType": "sheet"])
        #expect(layout["qMetaDef"] == nil && layout["qChildListDef"] == nil && (layout["cells"] as? [Any])?.count == 6)
        #expect((layout["thumbnail"] as? [String: Any])?["qStaticContentUrl"] as? [String: String] == ["qUrl": ""], "the thumbnail's definition computed")
        let children = try #require((layout["qChildList"] as? [String: Any])?["qItems"] as? [[String: Any]])
        #expect(children.count == 6)
        #expect(children.first { ($0["qInfo"] as? [String: String])?["qId"] == "bar-revenue-region" }.flatMap { $0["qData"] as? [String: String] } == ["title": "Revenue by region"])
    }

    @Test("a chart's layout computes its hypercube with master items resolved; GetProperties keeps the qLibraryId references")
    func chartLayout() async throws {
        var (session, _, _) = try await Self.session()
        let handle = try Self.handle(await EngineConversationTests.call(&session, 2, "GetObject", handle: 1, ["qId": "table-orders"]))
        let layout = try await Self.layout(&session, handle)
        let cube = try #require(layout["qHyperCube"] as? [String: Any])
        #expect(layout["qHyperCubeDef"] == nil && layout["title"] as? String == "Orders" && layout["qSelectionInfo"] is [String: Any])
        let errorText = "\(cube["qError"] ?? "")"
        if cube["qError"] == nil {
            let titles = (cube["qDimensionInfo"] as? [[String: Any]])?.map { $0["qFallbackTitle"] as? String }
            #expect(titles?.contains("Customer") == true, "the master dimension's field: \(titles ?? [])")
        } else {
            #expect(!errorText.contains("qFieldDefs"), "master items were resolved before the data was computed: \(errorText)")
        }
        let properties = try #require(try Self.result(await EngineConversationTests.call(&session, 3, "GetProperties", handle: handle))["qProp"] as? [String: Any])
        let dimensions = try #require((properties["qHyperCubeDef"] as? [String: Any])?["qDimensions"] as? [[String: Any]])
        #expect(dimensions.compactMap { $0["qLibraryId"] as? String }.filter { !$0.isEmpty } == ["dim-customer", "dim-product"])
    }

    @Test("every chart with dimensions and every list box of the default apps computes its data: master items resolve to the apps' fields",
          arguments: ["Sales Analysis", "Sales Dashboard"])
    func defaultChartsCompute(app name: String) async throws {
        var (session, sandbox, app) = try await Self.session(name)
        let objects = try #require(await sandbox.tenant.app(app.id)?.objects)
        // KPIs (a cube of measures only) are left out: the sandbox's hypercube needs a dimension.
        let withDimensions = objects.items.filter {
            AppObjectModelTests.count($0.properties.value(at: "/qHyperCubeDef/qDimensions") ?? .null) > 0 || $0.properties["qListObjectDef"] != nil
        }
        #expect(withDimensions.count >= (name == "Sales Analysis" ? 7 : 1))
        for object in withDimensions {
            let handle = try Self.handle(await EngineConversationTests.call(&session, 2, "GetObject", handle: 1, [object.id]))
            let layout = try await Self.layout(&session, handle)
            let data = try #require((layout["qHyperCube"] ?? layout["qListObject"]) as? [String: Any], "\(object.id) has no data part")
            #expect(data["qError"] == nil, "\(object.id): \(data["qError"] ?? "")")
        }
    }

    @Test("a layout shows qStringExpression as its text and qValueExpression as its number, evaluated under the selections")
    func layoutExpressions() async throws {
        var (session, _, _) = try await Self.session()
        let handle = try Self.handle(await EngineConversationTests.call(&session, 2, "CreateSessionObject", handle: 1, [[
            "qInfo": ["qType": "text"], "title": ["qStringExpression": ["qExpr": "=Count(OrderID)"]],
            "footnotes": [["qValueExpression": ["qExpr": "=Sum(Quantity)"]], "plain"],
        ]]))
        let expected = try #require(((try Self.result(await EngineConversationTests.call(&session, 3, "EvaluateEx", handle: 1, ["Sum(Quantity)"]))["qValue"]) as? [String: Any])?["qNumber"] as? Double)
        let layout = try await Self.layout(&session, handle)
        #expect(layout["title"] as? String == "120")
        #expect((layout["footnotes"] as? [Any])?.first as? Double == expected && (layout["footnotes"] as? [Any])?.last as? String == "plain")
        let properties = try #require(try Self.result(await EngineConversationTests.call(&session, 4, "GetProperties", handle: handle))["qProp"] as? [String: Any])
        #expect(properties["title"] is [String: Any], "properties keep the expression")
    }

    @Test("a session app keeps its objects and properties with the socket: CreateObject, GetObjects, SetAppProperties, GetAppLayout")
    func sessionApp() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let app = try #require(await sandbox.tenant.apps.first)
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: app.ownerID)
        _ = await EngineConversationTests.call(&session, 1, "CreateSessionApp")
        _ = await EngineConversationTests.call(&session, 2, "CreateObject", handle: 1, [["qInfo": ["qId": "s1", "qType": "sheet"], "qMetaDef": ["title": "Scratch"]]])
        let list = try #require(try Self.result(await EngineConversationTests.call(&session, 3, "GetObjects", handle: 1,
            [["qTypes": ["sheet"], "qData": ["title": "/qMetaDef/title"]]]))["qList"] as? [[String: Any]])
        #expect(list.compactMap { ($0["qData"] as? [String: String])?["title"] } == ["Scratch"])
        _ = await EngineConversationTests.call(&session, 4, "SetAppProperties", handle: 1, [["qTitle": "Scratch app"]])
        let layout = try #require(try Self.result(await EngineConversationTests.call(&session, 5, "GetAppLayout", handle: 1))["qLayout"] as? [String: Any])
        #expect(layout["qTitle"] as? String == "Scratch app" && layout["qIsSessionApp"] as? Bool == true && layout["qHasData"] as? Bool == false)
        let stored = await sandbox.tenant.app(app.id)
        #expect(stored?.objects.object("s1") == nil && stored?.name == app.name, "the tenant's app is untouched")
    }

    @Test("GetObject of an unknown id is the engine's error 2, naming the id")
    func unknownObject() async throws {
        var (session, _, _) = try await Self.session()
        let answer = await EngineConversationTests.call(&session, 2, "GetObject", handle: 1, ["qId": "nope"])
        let error = try #require(answer["error"] as? [String: Any])
        #expect(error["code"] as? Int == 2 && error["parameter"] as? String == "nope" && error["message"] as? String == "Object not found")
    }

    @Test("GetObjects filters by qTypes and leaves session objects out unless asked")
    func objects() async throws {
        var (session, _, _) = try await Self.session()
        _ = await EngineConversationTests.call(&session, 2, "CreateSessionObject", handle: 1, [["qInfo": ["qId": "mine", "qType": "sheet"]]])
        let sheets = try #require(try Self.result(await EngineConversationTests.call(&session, 3, "GetObjects", handle: 1,
            [["qTypes": ["sheet"], "qData": ["title": "/qMetaDef/title"]]]))["qList"] as? [[String: Any]])
        #expect(sheets.compactMap { ($0["qData"] as? [String: String])?["title"] } == ["Sales overview", "Order details"])
        let withSession = try #require(try Self.result(await EngineConversationTests.call(&session, 4, "GetObjects", handle: 1,
            ["qOptions": ["qTypes": ["sheet"], "qIncludeSessionObjects": true]]))["qList"] as? [[String: Any]])
        #expect(withSession.count == 3)
        let all = try #require(try Self.result(await EngineConversationTests.call(&session, 5, "GetObjects", handle: 1, [[String: Any]()]))["qList"] as? [[String: Any]])
        #expect(!all.contains { ($0["qInfo"] as? [String: String])?["qType"] == "dimension" }, "master items are not generic objects")
    }

    @Test("session list objects: qFieldListDef, qDimensionListDef, qMeasureListDef, qVariableListDef, qBookmarkListDef, qAppObjectListDef")
    func listDefinitions() async throws {
        var (session, _, _) = try await Self.session()
        let properties: [String: Any] = [
            "qInfo": ["qType": "lists"],
            "qFieldListDef": ["qShowSystem": false],
            "qDimensionListDef": ["qType": "dimension", "qData": ["title": "/qMetaDef/title", "fields": "/qDim/qFieldDefs"]],
            "qMeasureListDef": ["qType": "measure", "qData": ["expression": "/qMeasure/qDef"]],
            "qVariableListDef": ["qType": "variable", "qData": [String: Any]()],
            "qBookmarkListDef": ["qType": "bookmark", "qData": ["title": "/qMetaDef/title"]],
            "qAppObjectListDef": ["qType": "sheet", "qData": ["title": "/qMetaDef/title"]],
        ]
        let handle = try Self.handle(await EngineConversationTests.call(&session, 2, "CreateSessionObject", handle: 1, [properties]))
        let layout = try await Self.layout(&session, handle)
        func items(_ key: String) throws -> [[String: Any]] { try #require((layout[key] as? [String: Any])?["qItems"] as? [[String: Any]], "\(key)") }
        let fields = try items("qFieldList")
        let country = try #require(fields.first { $0["qName"] as? String == "Country" })
        #expect(country["qTags"] as? [String] == ["$key", "$ascii", "$text"])
        #expect(country["qCardinal"] as? Int == 12 && fields.filter { $0["qName"] as? String == "CustomerID" }.count == 1)
        #expect(try items("qDimensionList").compactMap { ($0["qData"] as? [String: Any])?["title"] as? String } == ["Region", "Customer", "Product", "Year"])
        #expect(try items("qMeasureList").first.flatMap { $0["qData"] as? [String: String] } == ["expression": "Sum(Amount)"])
        let variables = try items("qVariableList")
        #expect(variables.map { $0["qName"] as? String } == ["vCurrentYear", "vRevenueGoal"] && variables.first?["qDefinition"] as? String == "2024")
        #expect(try items("qBookmarkList").first.flatMap { $0["qData"] as? [String: String] } == ["title": "EMEA enterprise customers"])
        #expect(try items("qAppObjectList").count == 2 && layout["qFieldListDef"] == nil)
        #expect(try Self.result(await EngineConversationTests.call(&session, 3, "DestroySessionObject", handle: 1, ["qId": layoutID(layout)]))["qSuccess"] as? Bool == true)
        #expect(await EngineConversationTests.call(&session, 4, "GetLayout", handle: handle)["error"] != nil, "its handle is closed")
    }

    func layoutID(_ layout: [String: Any]) -> String { (layout["qInfo"] as? [String: Any])?["qId"] as? String ?? "" }

    @Test("CreateObject adds a persistent object with qInfo and a handle; DestroyObject removes it with its children")
    func createAndDestroy() async throws {
        var (session, sandbox, app) = try await Self.session()
        let created = try Self.result(await EngineConversationTests.call(&session, 2, "CreateObject", handle: 1,
            [["qInfo": ["qId": "sheet-new", "qType": "sheet"], "qMetaDef": ["title": "New"]]]))
        #expect(created["qInfo"] as? [String: String] == ["qId": "sheet-new", "qType": "sheet"])
        #expect((created["qReturn"] as? [String: Any])?["qGenericType"] as? String == "sheet")
        #expect(await sandbox.tenant.app(app.id)?.objects.object("sheet-new")?.title == "New")
        let duplicate = await EngineConversationTests.call(&session, 3, "CreateObject", handle: 1, [["qInfo": ["qId": "sheet-new", "qType": "sheet"]]])
        #expect((duplicate["error"] as? [String: Any])?["code"] as? Int == 3)
        #expect(try Self.result(await EngineConversationTests.call(&session, 4, "DestroyObject", handle: 1, ["sheet-overview"]))["qSuccess"] as? Bool == true)
        let objects = try #require(await sandbox.tenant.app(app.id)?.objects)
        #expect(objects.object("sheet-overview") == nil && objects.object("bar-revenue-region") == nil && objects.object("filter-overview-listbox-1") == nil)
        #expect(try Self.result(await EngineConversationTests.call(&session, 5, "DestroyObject", handle: 1, ["sheet-overview"]))["qSuccess"] as? Bool == false)
    }

    @Test("SetProperties changes a persistent object: the layout follows and the handle is in the answer's change list")
    func setProperties() async throws {
        var (session, sandbox, app) = try await Self.session()
        let handle = try Self.handle(await EngineConversationTests.call(&session, 2, "GetObject", handle: 1, ["qId": "sheet-details"]))
        var properties = try #require(try Self.result(await EngineConversationTests.call(&session, 3, "GetProperties", handle: handle))["qProp"] as? [String: Any])
        properties["qMetaDef"] = ["title": "Renamed"]
        let answer = await EngineConversationTests.call(&session, 4, "SetProperties", handle: handle, [properties])
        #expect((answer["change"] as? [Int])?.contains(handle) == true)
        #expect((try await Self.layout(&session, handle)["qMeta"] as? [String: Any])?["title"] as? String == "Renamed")
        #expect(await sandbox.tenant.app(app.id)?.objects.object("sheet-details")?.title == "Renamed")
    }

    @Test("ApplyPatches edits properties by JSON Patch; soft patches stay in the session and the layout says so")
    func applyPatches() async throws {
        var (session, sandbox, app) = try await Self.session()
        let handle = try Self.handle(await EngineConversationTests.call(&session, 2, "GetObject", handle: 1, ["qId": "kpi-orders"]))
        _ = await EngineConversationTests.call(&session, 3, "ApplyPatches", handle: handle, [[["qOp": "replace", "qPath": "/title", "qValue": "\"Order count\""]], false])
        #expect(await sandbox.tenant.app(app.id)?.objects.object("kpi-orders")?.properties["title"]?.string == "Order count")
        _ = await EngineConversationTests.call(&session, 4, "ApplyPatches", handle: handle, ["qPatches": [["qOp": "add", "qPath": "/color", "qValue": "\"red\""]], "qSoftPatch": true])
        let layout = try await Self.layout(&session, handle)
        #expect(layout["color"] as? String == "red" && layout["qHasSoftPatches"] as? Bool == true)
        #expect(await sandbox.tenant.app(app.id)?.objects.object("kpi-orders")?.properties["color"] == nil)
        let bad = await EngineConversationTests.call(&session, 5, "ApplyPatches", handle: handle, [[["qOp": "replace", "qPath": "/no/such", "qValue": "1"]]])
        #expect((bad["error"] as? [String: Any])?["code"] as? Int == 4)
    }

    @Test("GetInfo, GetChildInfos, GetChild, GetParent and GetFullPropertyTree walk the object tree")
    func tree() async throws {
        var (session, _, _) = try await Self.session()
        let sheet = try Self.handle(await EngineConversationTests.call(&session, 2, "GetObject", handle: 1, ["qId": "sheet-overview"]))
        #expect(try Self.result(await EngineConversationTests.call(&session, 3, "GetInfo", handle: sheet))["qInfo"] as? [String: String] == ["qId": "sheet-overview", "qType": "sheet"])
        let infos = try #require(try Self.result(await EngineConversationTests.call(&session, 4, "GetChildInfos", handle: sheet))["qInfos"] as? [[String: String]])
        #expect(infos.count == 6 && infos.contains(["qId": "filter-overview", "qType": "filterpane"]))
        let filters = try Self.handle(await EngineConversationTests.call(&session, 5, "GetChild", handle: sheet, ["filter-overview"]))
        let parent = try #require(try Self.result(await EngineConversationTests.call(&session, 6, "GetParent", handle: filters))["qReturn"] as? [String: Any])
        #expect(parent["qHandle"] as? Int == sheet)
        let top = await EngineConversationTests.call(&session, 7, "GetParent", handle: sheet)
        #expect((top["error"] as? [String: Any])?["code"] as? Int == 2)
        let tree = try #require(try Self.result(await EngineConversationTests.call(&session, 8, "GetFullPropertyTree", handle: sheet))["qPropEntry"] as? [String: Any])
        let pane = try #require((tree["qChildren"] as? [[String: Any]])?.first { (($0["qProperty"] as? [String: Any])?["qInfo"] as? [String: String])?["qId"] == "filter-overview" })
        #expect((pane["qChildren"] as? [Any])?.count == 2)
    }

    @Test("GetEffectiveProperties fills what an object leaves out from the object it extends (qExtendsId)")
    func effectiveProperties() async throws {
        var (session, _, _) = try await Self.session()
        _ = await EngineConversationTests.call(&session, 2, "CreateObject", handle: 1, [["qInfo": ["qId": "base", "qType": "kpi"], "color": "blue", "title": "Base"]])
        let handle = try Self.handle(await EngineConversationTests.call(&session, 3, "CreateObject", handle: 1,
            [["qInfo": ["qId": "derived", "qType": "kpi"], "qExtendsId": "base", "title": "Derived"]]))
        let effective = try #require(try Self.result(await EngineConversationTests.call(&session, 4, "GetEffectiveProperties", handle: handle))["qProp"] as? [String: Any])
        #expect(effective["color"] as? String == "blue" && effective["title"] as? String == "Derived")
    }

    @Test("GetAppLayout and GetAppProperties show the app's title, thumbnail and reload; SetAppProperties renames it")
    func appProperties() async throws {
        var (session, sandbox, app) = try await Self.session()
        let layout = try #require(try Self.result(await EngineConversationTests.call(&session, 2, "GetAppLayout", handle: 1))["qLayout"] as? [String: Any])
        #expect(layout["qTitle"] as? String == "Sales Analysis" && layout["qFileName"] as? String == app.id && layout["qHasScript"] as? Bool == true)
        #expect(layout["qHasData"] as? Bool == true && layout["qIsSessionApp"] as? Bool == false && layout["qThumbnail"] as? [String: String] == ["qUrl": ""])
        #expect((layout["qLocaleInfo"] as? [String: Any])?["qDecimalSep"] as? String == ".")
        var properties = try #require(try Self.result(await EngineConversationTests.call(&session, 3, "GetAppProperties", handle: 1))["qProp"] as? [String: Any])
        #expect(properties["qTitle"] as? String == "Sales Analysis" && !(properties["qLastReloadTime"] as? String ?? "").isEmpty)
        properties["qTitle"] = "Sales Analysis 2024"
        properties["qThumbnail"] = ["qUrl": "/api/v1/apps/\(app.id)/media/files/thumb.png"]
        let answer = await EngineConversationTests.call(&session, 4, "SetAppProperties", handle: 1, [properties])
        #expect((answer["change"] as? [Int])?.contains(1) == true)
        #expect(await sandbox.tenant.app(app.id)?.name == "Sales Analysis 2024")
        let after = try #require(try Self.result(await EngineConversationTests.call(&session, 5, "GetAppProperties", handle: 1))["qProp"] as? [String: Any])
        #expect((after["qThumbnail"] as? [String: String])?["qUrl"]?.hasSuffix("thumb.png") == true)
    }

    @Test("GetLineage lists the load script's sources: files by their lib:// path and the INLINE table")
    func lineage() async throws {
        var (session, _, _) = try await Self.session()
        let lineage = try #require(try Self.result(await EngineConversationTests.call(&session, 2, "GetLineage", handle: 1))["qLineage"] as? [[String: String]])
        #expect(lineage.map { $0["qDiscriminator"] } == ["lib://Sales Data:DataFiles/orders.csv", "lib://Sales Data:DataFiles/customers.csv",
                                                        "lib://Sales Data:DataFiles/products.qvd", "INLINE"])
        #expect(lineage.first?["qStatement"]?.hasPrefix("Orders:\nLOAD OrderID") == true)
    }

    @Test("GetConnections lists the tenant's DataFiles connections; GetConnection reads one, an unknown id is error 2")
    func connections() async throws {
        var (session, _, _) = try await Self.session()
        let connections = try #require(try Self.result(await EngineConversationTests.call(&session, 2, "GetConnections", handle: 1))["qConnections"] as? [[String: Any]])
        let data = try #require(connections.first { $0["qName"] as? String == "Sales Data:DataFiles" })
        #expect(data["qType"] as? String == "qix-datafiles.exe" && connections.contains { $0["qName"] as? String == "DataFiles" })
        let one = try #require(try Self.result(await EngineConversationTests.call(&session, 3, "GetConnection", handle: 1, [data["qId"] ?? ""]))["qConnection"] as? [String: Any])
        #expect(one["qName"] as? String == "Sales Data:DataFiles")
        #expect((await EngineConversationTests.call(&session, 4, "GetConnection", handle: 1, ["none"])["error"] as? [String: Any])?["code"] as? Int == 2)
    }

    @Test("GetScriptEx, DoReloadEx, DoSave and GetLocaleInfo answer as the schema defines")
    func scriptReloadLocale() async throws {
        var (session, _, _) = try await Self.session()
        let script = try #require(try Self.result(await EngineConversationTests.call(&session, 2, "GetScriptEx", handle: 1))["qScript"] as? [String: Any])
        #expect((script["qScript"] as? String)?.contains("Orders:") == true && script["qIsLocked"] as? Bool == false)
        let reload = try #require(try Self.result(await EngineConversationTests.call(&session, 3, "DoReloadEx", handle: 1, [[String: Any]()]))["qResult"] as? [String: Any])
        #expect(reload["qSuccess"] as? Bool == true && (reload["qNbrOfLoadedRows"] as? Int ?? 0) > 120)
        #expect(try Self.result(await EngineConversationTests.call(&session, 4, "DoSave", handle: 1)).isEmpty)
        let locale = try #require(try Self.result(await EngineConversationTests.call(&session, 5, "GetLocaleInfo", handle: 1))["qReturn"] as? [String: Any])
        #expect(locale["qDateFmt"] as? String == "M/D/YYYY" && (locale["qCalendarStrings"] as? [String: Any])?["qMonthNames"] is [String])
    }
}
