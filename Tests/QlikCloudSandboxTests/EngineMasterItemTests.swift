import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: master dimensions and measures, variables and bookmarks")
struct EngineMasterItemTests {
    typealias Doc = EngineDocObjectTests

    @Test("GetDimension opens a GenericDimension: its layout has qDim and qDimInfos from the data; GetDimension, GetInfo, GetProperties")
    func dimension() async throws {
        var (session, _, _) = try await Doc.session()
        let opened = try #require(try Doc.result(await EngineConversationTests.call(&session, 2, "GetDimension", handle: 1, ["qId": "dim-region"]))["qReturn"] as? [String: Any])
        #expect(opened["qType"] as? String == "GenericDimension" && opened["qGenericType"] as? String == "dimension")
        let handle = try #require(opened["qHandle"] as? Int)
        let layout = try await Doc.layout(&session, handle)
        #expect((layout["qDim"] as? [String: Any])?["qFieldDefs"] as? [String] == ["Region"])
        let info = try #require((layout["qDimInfos"] as? [[String: Any]])?.first)
        #expect(info["qCardinal"] as? Int == 3 && info["qApprMaxGlyphCount"] as? Int == 8)
        #expect((layout["qMeta"] as? [String: Any])?["title"] as? String == "Region")
        #expect((try Doc.result(await EngineConversationTests.call(&session, 3, "GetDimension", handle: handle))["qDim"] as? [String: Any])?["qGrouping"] as? String == "N")
        #expect(try Doc.result(await EngineConversationTests.call(&session, 4, "GetInfo", handle: handle))["qInfo"] as? [String: String] == ["qId": "dim-region", "qType": "dimension"])
        #expect((try Doc.result(await EngineConversationTests.call(&session, 5, "GetProperties", handle: handle))["qProp"] as? [String: Any])?["qMetaDef"] != nil)
        #expect(try Doc.result(await EngineConversationTests.call(&session, 6, "GetActiveField", handle: handle))["qReturn"] as? Int == 0)
        let wrongClass = await EngineConversationTests.call(&session, 7, "GetDimension", handle: 1, ["qId": "msr-revenue"])
        #expect((wrongClass["error"] as? [String: Any])?["code"] as? Int == 2, "a measure is no dimension")
    }

    @Test("GetLinkedObjects lists the charts that use a master item, with the sheet they sit on as qRootId")
    func linkedObjects() async throws {
        var (session, _, _) = try await Doc.session()
        let handle = try Doc.handle(await EngineConversationTests.call(&session, 2, "GetMeasure", handle: 1, ["msr-revenue"]))
        let items = try #require(try Doc.result(await EngineConversationTests.call(&session, 3, "GetLinkedObjects", handle: handle))["qItems"] as? [[String: Any]])
        let ids = items.compactMap { ($0["qInfo"] as? [String: String])?["qId"] }
        #expect(Set(ids) == ["kpi-revenue", "bar-revenue-region", "line-revenue-month"])
        #expect(Set(items.compactMap { $0["qRootId"] as? String }) == ["sheet-overview"])
    }

    @Test("GetMeasure opens a GenericMeasure: its layout and GetMeasure give qMeasure; SetProperties changes it and the charts that use it")
    func measure() async throws {
        var (session, sandbox, app) = try await Doc.session()
        let handle = try Doc.handle(await EngineConversationTests.call(&session, 2, "GetMeasure", handle: 1, ["qId": "msr-orders"]))
        let layout = try await Doc.layout(&session, handle)
        #expect((layout["qMeasure"] as? [String: Any])?["qDef"] as? String == "Count(distinct OrderID)")
        let kpi = try Doc.handle(await EngineConversationTests.call(&session, 3, "GetObject", handle: 1, ["kpi-orders"]))
        var properties = try #require(try Doc.result(await EngineConversationTests.call(&session, 4, "GetProperties", handle: handle))["qProp"] as? [String: Any])
        properties["qMeasure"] = ["qLabel": "Orders", "qDef": "Count(OrderID)"]
        let answer = await EngineConversationTests.call(&session, 5, "SetProperties", handle: handle, [properties])
        #expect(Set(answer["change"] as? [Int] ?? []).isSuperset(of: [handle, kpi]))
        #expect((try Doc.result(await EngineConversationTests.call(&session, 6, "GetMeasure", handle: handle))["qMeasure"] as? [String: Any])?["qDef"] as? String == "Count(OrderID)")
        #expect(await sandbox.tenant.app(app.id)?.objects.object("msr-orders")?.properties["qMeasure"]?["qDef"]?.string == "Count(OrderID)")
    }

    @Test("CreateDimension and CreateMeasure add master items; DestroyDimension and DestroyMeasure remove them, and only them")
    func createAndDestroy() async throws {
        var (session, sandbox, app) = try await Doc.session()
        let dimension = try Doc.result(await EngineConversationTests.call(&session, 2, "CreateDimension", handle: 1,
            [["qInfo": ["qId": "dim-city", "qType": "dimension"], "qDim": ["qFieldDefs": ["City"], "qFieldLabels": ["City"]], "qMetaDef": ["title": "City"]]]))
        #expect(dimension["qInfo"] as? [String: String] == ["qId": "dim-city", "qType": "dimension"])
        #expect((dimension["qReturn"] as? [String: Any])?["qType"] as? String == "GenericDimension")
        let measure = try Doc.result(await EngineConversationTests.call(&session, 3, "CreateMeasure", handle: 1,
            [["qInfo": ["qType": "measure"], "qMeasure": ["qDef": "Sum(Quantity)", "qLabel": "Units"]]]))
        let measureID = try #require((measure["qInfo"] as? [String: String])?["qId"])
        #expect(await sandbox.tenant.app(app.id)?.objects.object(measureID)?.type == "measure")
        #expect(try Doc.result(await EngineConversationTests.call(&session, 4, "DestroyMeasure", handle: 1, ["dim-city"]))["qSuccess"] as? Bool == false)
        #expect(try Doc.result(await EngineConversationTests.call(&session, 5, "DestroyDimension", handle: 1, ["dim-city"]))["qSuccess"] as? Bool == true)
        #expect(try Doc.result(await EngineConversationTests.call(&session, 6, "DestroyMeasure", handle: 1, [measureID]))["qSuccess"] as? Bool == true)
        #expect(await sandbox.tenant.app(app.id)?.objects.object("dim-city") == nil)
        let wrongType = await EngineConversationTests.call(&session, 7, "CreateDimension", handle: 1, [["qInfo": ["qType": "sheet"]]])
        #expect((wrongType["error"] as? [String: Any])?["code"] as? Int == 8)
    }

    @Test("GetVariableByName and GetVariableById open a GenericVariable: layout with qText and qNum, GetRawContent, GetProperties")
    func genericVariable() async throws {
        var (session, _, _) = try await Doc.session()
        let handle = try Doc.handle(await EngineConversationTests.call(&session, 2, "GetVariableByName", handle: 1, ["qName": "vCurrentYear"]))
        let layout = try await Doc.layout(&session, handle)
        #expect(layout["qText"] as? String == "2024" && layout["qNum"] as? Double == 2024 && layout["qIsScriptCreated"] as? Bool == false)
        let byID = try Doc.handle(await EngineConversationTests.call(&session, 3, "GetVariableById", handle: 1, ["var-current-year"]))
        #expect(byID == handle)
        #expect(try Doc.result(await EngineConversationTests.call(&session, 4, "GetRawContent", handle: handle))["qReturn"] as? String == "2024")
        #expect((try Doc.result(await EngineConversationTests.call(&session, 5, "GetProperties", handle: handle))["qProp"] as? [String: Any])?["qName"] as? String == "vCurrentYear")
        let missing = await EngineConversationTests.call(&session, 6, "GetVariableByName", handle: 1, ["vNone"])
        #expect((missing["error"] as? [String: Any])?["code"] as? Int == 2)
    }

    @Test("GetVariable opens the Variable class: GetContent, GetRawContent and GetNxProperties")
    func variableClass() async throws {
        var (session, _, _) = try await Doc.session()
        let opened = try #require(try Doc.result(await EngineConversationTests.call(&session, 2, "GetVariable", handle: 1, ["vCurrentYear"]))["qReturn"] as? [String: Any])
        #expect(opened["qType"] as? String == "Variable")
        let handle = try #require(opened["qHandle"] as? Int)
        let content = try #require(try Doc.result(await EngineConversationTests.call(&session, 3, "GetContent", handle: handle))["qContent"] as? [String: Any])
        #expect(content["qString"] as? String == "2024" && content["qIsNum"] as? Bool == true)
        #expect(try Doc.result(await EngineConversationTests.call(&session, 4, "GetRawContent", handle: handle))["qReturn"] as? String == "2024")
        let properties = try #require(try Doc.result(await EngineConversationTests.call(&session, 5, "GetNxProperties", handle: handle))["qProperties"] as? [String: Any])
        #expect(properties["qName"] as? String == "vCurrentYear" && properties["qPreDefinedList"] as? [String] == [])
    }

    @Test("CreateSessionVariable adds a variable this session sees; DestroySessionVariable, ById and ByName remove only session variables")
    func sessionVariables() async throws {
        var (session, sandbox, app) = try await Doc.session()
        let opened = try #require(try Doc.result(await EngineConversationTests.call(&session, 2, "CreateSessionVariable", handle: 1,
            [["qInfo": ["qId": "sv1", "qType": "variable"], "qName": "vSession", "qDefinition": "42"]]))["qReturn"] as? [String: Any])
        #expect(opened["qType"] as? String == "GenericVariable")
        #expect(try Doc.handle(await EngineConversationTests.call(&session, 3, "GetVariableByName", handle: 1, ["vSession"])) == opened["qHandle"] as? Int)
        #expect(await sandbox.tenant.app(app.id)?.objects.object("sv1") == nil, "the app does not keep it")
        let duplicate = await EngineConversationTests.call(&session, 4, "CreateSessionVariable", handle: 1, [["qName": "vCurrentYear"]])
        #expect((duplicate["error"] as? [String: Any])?["code"] as? Int == 3)
        #expect(try Doc.result(await EngineConversationTests.call(&session, 5, "DestroySessionVariableByName", handle: 1, ["vCurrentYear"]))["qSuccess"] as? Bool == false)
        #expect(try Doc.result(await EngineConversationTests.call(&session, 6, "DestroySessionVariableByName", handle: 1, ["vSession"]))["qSuccess"] as? Bool == true)
        _ = await EngineConversationTests.call(&session, 7, "CreateSessionVariable", handle: 1, [["qInfo": ["qId": "sv2"], "qName": "vTwo"]])
        _ = await EngineConversationTests.call(&session, 8, "CreateSessionVariable", handle: 1, [["qInfo": ["qId": "sv3"], "qName": "vThree"]])
        #expect(try Doc.result(await EngineConversationTests.call(&session, 9, "DestroySessionVariableById", handle: 1, ["sv2"]))["qSuccess"] as? Bool == true)
        #expect(try Doc.result(await EngineConversationTests.call(&session, 10, "DestroySessionVariable", handle: 1, ["sv3"]))["qSuccess"] as? Bool == true)
        #expect(try Doc.result(await EngineConversationTests.call(&session, 11, "DestroySessionVariable", handle: 1, ["var-current-year"]))["qSuccess"] as? Bool == false)
    }

    @Test("GetBookmark opens a GenericBookmark: its layout has the selections per field; GetFieldValues pages them; GetBookmarks lists bookmarks")
    func bookmarks() async throws {
        var (session, _, _) = try await Doc.session()
        let list = try #require(try Doc.result(await EngineConversationTests.call(&session, 2, "GetBookmarks", handle: 1,
            [["qTypes": ["bookmark"], "qData": ["title": "/qMetaDef/title"]]]))["qList"] as? [[String: Any]])
        #expect(list.count == 1 && (list.first?["qData"] as? [String: String])?["title"] == "EMEA enterprise customers")
        let handle = try Doc.handle(await EngineConversationTests.call(&session, 3, "GetBookmark", handle: 1, ["qId": "bm-emea-enterprise"]))
        let layout = try await Doc.layout(&session, handle)
        let infos = try #require(layout["qFieldInfos"] as? [[String: Any]])
        #expect(infos.map { $0["qFieldName"] as? String } == ["Region", "Segment"] && infos.first?["qValuesCount"] as? Int == 1)
        let state = try #require(((layout["qBookmark"] as? [String: Any])?["qStateData"] as? [[String: Any]])?.first)
        #expect(state["qStateName"] as? String == "$" && (state["qFieldItems"] as? [Any])?.count == 2)
        let values = try #require(try Doc.result(await EngineConversationTests.call(&session, 4, "GetFieldValues", handle: handle,
            ["Segment", false, ["qStartIndex": 0, "qEndIndex": 10]]))["qFieldValues"] as? [[String: Any]])
        #expect(values.count == 1 && values.first?["qText"] as? String == "Enterprise" && values.first?["qIsNumeric"] as? Bool == false)
        #expect(try Doc.result(await EngineConversationTests.call(&session, 5, "GetInfo", handle: handle))["qInfo"] as? [String: String] == ["qId": "bm-emea-enterprise", "qType": "bookmark"])
        #expect((try Doc.result(await EngineConversationTests.call(&session, 6, "GetProperties", handle: handle))["qProp"] as? [String: Any])?["qIncludeVariables"] as? Bool == false)
    }

    static func evaluate(_ session: inout EngineConversation, _ expression: String) async throws -> String? {
        ((try Doc.result(await EngineConversationTests.call(&session, 80, "EvaluateEx", handle: 1, [expression]))["qValue"]) as? [String: Any])?["qText"] as? String
    }

    @Test("GenericBookmark.Apply makes the bookmark's selections the session's; every open object is in the change list")
    func applyBookmark() async throws {
        var (session, _, _) = try await Doc.session()
        let chart = try Doc.handle(await EngineConversationTests.call(&session, 2, "GetObject", handle: 1, ["bar-revenue-region"]))
        let handle = try Doc.handle(await EngineConversationTests.call(&session, 3, "GetBookmark", handle: 1, ["bm-emea-enterprise"]))
        let answer = await EngineConversationTests.call(&session, 4, "Apply", handle: handle)
        #expect(try Doc.result(answer)["qSuccess"] as? Bool == true && (answer["change"] as? [Int])?.contains(chart) == true)
        #expect(try await Self.evaluate(&session, "Only(Region)") == "EMEA")
        #expect(try await Self.evaluate(&session, "Only(Segment)") == "Enterprise")
    }

    @Test("Doc.ApplyAndVerifyBookmark applies and reports per field; a value the data lacks is FIELD_VALUE_MISSING, an unknown bookmark error 2")
    func applyAndVerify() async throws {
        var (session, sandbox, app) = try await Doc.session()
        let now = Date()
        await sandbox.tenant.putAppObject(app.id, AppObject(properties: JSONValue(any: ["qInfo": ["qId": "bm-old", "qType": "bookmark"]]), ownerID: app.ownerID,
                                                            createdAt: now, modifiedAt: now,
                                                            bookmarkSelections: [BookmarkSelection(field: "Region", values: ["APAC", "Atlantis"]),
                                                                                 BookmarkSelection(field: "Planet", values: ["Mars"])]))
        let result = try #require(try Doc.result(await EngineConversationTests.call(&session, 2, "ApplyAndVerifyBookmark", handle: 1, ["bm-old"]))["qResult"] as? [String: Any])
        let warnings = try #require(result["qWarnings"] as? [[String: Any]])
        #expect(result["qApplySuccess"] as? Bool == true)
        #expect(warnings.first?["qVerifyResult"] as? String == "FIELD_VALUE_MISSING" && warnings.first?["qMissingValues"] as? [String] == ["Atlantis"])
        #expect(warnings.last?["qVerifyResult"] as? String == "FIELD_MISSING")
        #expect(try await Self.evaluate(&session, "Only(Region)") == "APAC")
        #expect(try Doc.result(await EngineConversationTests.call(&session, 3, "ApplyBookmark", handle: 1, ["bm-emea-enterprise"]))["qSuccess"] as? Bool == true)
        #expect(try await Self.evaluate(&session, "Only(Region)") == "EMEA")
        #expect((await EngineConversationTests.call(&session, 4, "ApplyBookmark", handle: 1, ["none"])["error"] as? [String: Any])?["code"] as? Int == 2)
    }

    @Test("a variable defined by an expression (=...) shows the expression's value in its layout")
    func variableExpression() async throws {
        var (session, _, _) = try await Doc.session()
        let total = try #require(try await Self.evaluate(&session, "Sum(Amount) * 1.1"))
        let handle = try Doc.handle(await EngineConversationTests.call(&session, 2, "GetVariableByName", handle: 1, ["vRevenueGoal"]))
        let layout = try await Doc.layout(&session, handle)
        #expect(layout["qText"] as? String == total && layout["qNum"] is Double)
    }

    @Test("GenericObject.GetLinkedObjects lists the objects that extend it")
    func objectLinks() async throws {
        var (session, _, _) = try await Doc.session()
        _ = await EngineConversationTests.call(&session, 2, "CreateObject", handle: 1, [["qInfo": ["qId": "derived-kpi", "qType": "kpi"], "qExtendsId": "kpi-orders"]])
        let handle = try Doc.handle(await EngineConversationTests.call(&session, 3, "GetObject", handle: 1, ["kpi-orders"]))
        let items = try #require(try Doc.result(await EngineConversationTests.call(&session, 4, "GetLinkedObjects", handle: handle))["qItems"] as? [[String: Any]])
        #expect(items.compactMap { ($0["qInfo"] as? [String: String])?["qId"] } == ["derived-kpi"])
    }

    @Test("methods a class does not offer answer Method not found")
    func methodNotFound() async throws {
        var (session, _, _) = try await Doc.session()
        let handle = try Doc.handle(await EngineConversationTests.call(&session, 2, "GetDimension", handle: 1, ["dim-region"]))
        let answer = await EngineConversationTests.call(&session, 3, "GetHyperCubeData", handle: handle)
        #expect((answer["error"] as? [String: Any])?["code"] as? Int == -32601)
    }
}
