import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Engine schema conformance")
struct EngineSchemaCheckTests {
    static func schema() throws -> EngineSchema { try EngineSchema.shared.get() }

    @Test("a result without a key the schema requires is named")
    func missingKey() throws {
        #expect(try Self.schema().problem(in: [:], of: "Global", "EngineVersion")?.contains("no qVersion") == true)
        #expect(try Self.schema().problem(in: [:], of: "Doc", "DoReload")?.contains("no qReturn") == true)
    }

    @Test("a value of the wrong JSON type is named by its key path and what the schema wants")
    func wrongType() throws {
        let problem = try Self.schema().problem(in: ["qDocList": [["qDocName": "ok"], ["qDocName": 5]]], of: "Global", "GetDocList")
        #expect(problem == "qDocList/1/qDocName: the schema wants a string, the answer has number 5")
    }

    @Test("a string outside the schema's enum is named with the values it allows")
    func badEnum() throws {
        let problem = try Self.schema().problem(in: ["qDocList": [["qUsage": "REPORTING"]]], of: "Global", "GetDocList")
        #expect(problem?.hasPrefix("qDocList/0/qUsage: the schema wants one of ANALYTICS, DATAFLOW_PREP") == true)
    }

    @Test("a key a closed struct does not define, or a result key the method does not have, is named")
    func unknownKeys() throws {
        #expect(try Self.schema().problem(in: ["qVersion": ["qComponentVersion": "1", "qBuild": 2]], of: "Global", "EngineVersion")
            == "qVersion/qBuild: NxEngineVersion has no property qBuild in the schema")
        #expect(try Self.schema().problem(in: ["qVersion": [:], "extra": 1], of: "Global", "EngineVersion")?.contains("has extra") == true)
    }

    @Test("nested structs are followed through references and arrays: a hypercube page's cell state is checked")
    func nested() throws {
        let page: [String: Any] = ["qMatrix": [[["qText": "EU", "qNum": "NaN", "qElemNumber": 0, "qState": "Q"]]], "qArea": ["qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 1]]
        let problem = try Self.schema().problem(in: ["qDataPages": [page]], of: "GenericObject", "GetHyperCubeData")
        #expect(problem?.hasPrefix("qDataPages/0/qMatrix/0/0/qState: the schema wants one of") == true)
    }

    @Test("the results of a method with several (GetTablesAndKeys' qtr and qk) are typed too")
    func severalResults() throws {
        let problem = try Self.schema().problem(in: ["qtr": [["qName": "T", "qNoOfRows": "many"]], "qk": [Any]()], of: "Doc", "GetTablesAndKeys")
        #expect(problem == "qtr/0/qNoOfRows: the schema wants a number, the answer has the string \"many\"")
    }

    @Test("sandboxes the test suite starts check every engine answer against the schema")
    func onInTests() {
        #expect(SandboxConfiguration().checksEngineAnswers == (ProcessInfo.processInfo.environment["QLIK_SANDBOX_CHECK_ENGINE_ANSWERS"] ?? "1" == "1"))
    }

    @Test("a scripted conversation over every Global and Doc method the sandbox answers (and Field and list-object selections) passes the schema check")
    func conversation() async throws {
        let (sandbox, app) = try await EngineConversationTests.sandboxWithOrders()
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: try #require(await sandbox.tenant.usersByCreation.first).id)
        session.checksAnswers = true
        var failures: [String] = []
        var id = 0
        func call(_ method: String, handle: Int, _ params: Any = [Any]()) async -> [String: Any] {
            id += 1
            let reply = await EngineConversationTests.call(&session, id, method, handle: handle, params)
            if let error = reply["error"] as? [String: Any] { failures.append("\(method): \(error["message"] ?? "")") }
            return reply["result"] as? [String: Any] ?? [:]
        }
        for method in ["EngineVersion", "ProductVersion", "QTProduct", "OSName", "OSVersion", "IsDesktopMode", "AllowCreateApp",
                       "GetAuthenticatedUser", "GetUniqueID", "GetDocList", "GetSupportedCodePages", "GetCustomConnectors"] {
            _ = await call(method, handle: -1)
        }
        _ = await call("OpenDoc", handle: -1, [app.id])
        _ = await call("GetActiveDoc", handle: -1)
        _ = await call("GetTablesAndKeys", handle: 1, [["qcx": 1000, "qcy": 1000], ["qcx": 0, "qcy": 0], 30, false, false])
        _ = await call("GetTableData", handle: 1, [0, 5, false, "Orders"])
        let cube: [String: Any] = ["qInfo": ["qId": "c1", "qType": "table"], "qHyperCubeDef": ["qDimensions": [["qDef": ["qFieldDefs": ["Region"]]]], "qMeasures": [Any]()]]
        let created = await call("CreateSessionObject", handle: 1, [cube])
        if let handle = (created["qReturn"] as? [String: Any])?["qHandle"] as? Int {
            _ = await call("GetLayout", handle: handle)
            _ = await call("GetHyperCubeData", handle: handle, ["/qHyperCubeDef", [["qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 10]]])
        }
        // Selections: a field, the Doc's selection and evaluation methods, a list object's selection methods.
        if let field = (await call("GetField", handle: 1, ["Region"])["qReturn"] as? [String: Any])?["qHandle"] as? Int {
            let fieldCalls: [(String, [Any])] = [
                ("Select", ["EU"]), ("GetCardinal", []), ("GetAndMode", []), ("GetNxProperties", []), ("ToggleSelect", ["US"]),
                ("SelectValues", [[["qText": "EU", "qIsNumeric": false, "qNumber": 0]]]), ("LowLevelSelect", [[0], false]),
                ("SelectAll", []), ("SelectPossible", []), ("SelectExcluded", []), ("SelectAlternative", []), ("ClearAllButThis", []),
                ("Lock", []), ("Unlock", []), ("Clear", []),
            ]
            for (method, params) in fieldCalls { _ = await call(method, handle: field, params) }
        }
        for (method, params) in [("Evaluate", ["Sum(Amount)"]), ("EvaluateEx", ["Count(OrderID)"]), ("CheckExpression", ["Sum(Amount)"]),
                                 ("CheckNumberOrExpression", ["Sum(Amount)"]), ("GetFieldsFromExpression", ["Sum(Amount)"]),
                                 ("GetFieldDescription", ["Region"]), ("ClearAll", [false]), ("LockAll", []), ("UnlockAll", []),
                                 ("Back", []), ("Forward", []), ("BackCount", []), ("ForwardCount", [])] as [(String, [Any])] {
            _ = await call(method, handle: 1, params)
        }
        let list: [String: Any] = ["qInfo": ["qId": "l1", "qType": "listbox"], "qListObjectDef": [
            "qDef": ["qFieldDefs": ["Region"]], "qInitialDataFetch": [["qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 10]]]]
        if let handle = ((await call("CreateSessionObject", handle: 1, [list]))["qReturn"] as? [String: Any])?["qHandle"] as? Int {
            let page: [String: Any] = ["qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 10]
            let listCalls: [(String, [Any])] = [
                ("GetLayout", []), ("GetListObjectData", ["/qListObjectDef", [page]]), ("BeginSelections", [["/qListObjectDef"]]),
                ("SelectListObjectValues", ["/qListObjectDef", [0], false]), ("EndSelections", [true]),
                ("SelectListObjectPossible", ["/qListObjectDef"]), ("SelectListObjectExcluded", ["/qListObjectDef"]),
                ("SelectListObjectAll", ["/qListObjectDef"]), ("SelectListObjectAlternative", ["/qListObjectDef"]),
                ("ResetMadeSelections", []), ("ClearSelections", ["/qListObjectDef"]),
            ]
            for (method, params) in listCalls { _ = await call(method, handle: handle, params) }
        }
        if let handle = ((await call("CreateSessionObject", handle: 1, [cube]))["qReturn"] as? [String: Any])?["qHandle"] as? Int {
            let page: [String: Any] = ["qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 10]
            _ = await call("GetHyperCubeReducedData", handle: handle, ["/qHyperCubeDef", [page], -1, "N"])
            _ = await call("SelectHyperCubeValues", handle: handle, ["/qHyperCubeDef", 0, [0], false])
        }
        _ = await call("DestroySessionObject", handle: 1, ["c1"])
        _ = await call("GetScript", handle: 1)
        _ = await call("SetScript", handle: 1, ["Orders: LOAD * INLINE [OrderID, Region\n1, EU];"])
        _ = await call("DoReload", handle: 1, [0, false, false])
        _ = await call("DoSave", handle: 1)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("a scripted conversation over an app's objects (sheets, charts, master items, variables, bookmarks, app properties) passes the schema check")
    func appObjectConversation() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let app = try #require(await sandbox.tenant.apps.first { $0.name == "Sales Analysis" })
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: try #require(await sandbox.tenant.usersByCreation.first).id)
        session.checksAnswers = true
        var failures: [String] = []
        var id = 0
        func call(_ method: String, handle: Int, _ params: Any = [Any]()) async -> [String: Any] {
            id += 1
            let reply = await EngineConversationTests.call(&session, id, method, handle: handle, params)
            if let error = reply["error"] as? [String: Any] { failures.append("\(method): \(error["message"] ?? "")") }
            return reply["result"] as? [String: Any] ?? [:]
        }
        func handle(_ result: [String: Any]) -> Int? { (result["qReturn"] as? [String: Any])?["qHandle"] as? Int }
        _ = await call("OpenDoc", handle: -1, [app.id])
        _ = await call("GetAppLayout", handle: 1)
        let properties = await call("GetAppProperties", handle: 1)["qProp"] ?? [String: Any]()
        _ = await call("SetAppProperties", handle: 1, [properties])
        for method in ["GetAllInfos", "GetLocaleInfo", "GetLineage", "GetScriptEx"] { _ = await call(method, handle: 1) }
        _ = await call("GetObjects", handle: 1, [["qTypes": ["sheet", "barchart"]]])
        let bookmarks = await call("GetBookmarks", handle: 1, [["qTypes": ["bookmark"]]])["qList"] as? [[String: Any]] ?? []
        let connections = await call("GetConnections", handle: 1)["qConnections"] as? [[String: Any]] ?? []
        if let connection = connections.first?["qId"] as? String { _ = await call("GetConnection", handle: 1, [connection]) }
        if let sheet = handle(await call("GetObject", handle: 1, ["sheet-overview"])) {
            for method in ["GetLayout", "GetInfo", "GetEffectiveProperties", "GetFullPropertyTree", "GetChildInfos"] { _ = await call(method, handle: sheet) }
            let sheetProperties = await call("GetProperties", handle: sheet)["qProp"] ?? [String: Any]()
            _ = await call("SetProperties", handle: sheet, [sheetProperties])
            _ = await call("ApplyPatches", handle: sheet, [[["qOp": "replace", "qPath": "/qMetaDef/title", "qValue": "\"Overview\""]], true])
            if let child = handle(await call("GetChild", handle: sheet, ["kpi-revenue"])) {
                _ = await call("GetLayout", handle: child)
                _ = await call("GetParent", handle: child)
            }
        }
        if let dimension = handle(await call("GetDimension", handle: 1, ["dim-region"])) {
            for method in ["GetLayout", "GetDimension", "GetActiveField"] { _ = await call(method, handle: dimension) }
        }
        if let measure = handle(await call("GetMeasure", handle: 1, ["msr-revenue"])) {
            for method in ["GetLayout", "GetMeasure"] { _ = await call(method, handle: measure) }
        }
        _ = await call("CreateDimension", handle: 1, [["qInfo": ["qId": "dim-new", "qType": "dimension"], "qDim": ["qFieldDefs": ["Country"]], "qMetaDef": ["title": "Country"]]])
        _ = await call("DestroyDimension", handle: 1, ["dim-new"])
        _ = await call("CreateMeasure", handle: 1, [["qInfo": ["qId": "msr-new", "qType": "measure"], "qMeasure": ["qDef": "Count(OrderID)", "qLabel": "Orders"], "qMetaDef": ["title": "Orders"]]])
        _ = await call("DestroyMeasure", handle: 1, ["msr-new"])
        _ = await call("CreateObject", handle: 1, [["qInfo": ["qId": "obj-new", "qType": "table"], "qMetaDef": ["title": "New"]]])
        _ = await call("DestroyObject", handle: 1, ["obj-new"])
        if let variable = handle(await call("CreateSessionVariable", handle: 1, [["qInfo": ["qId": "var-new", "qType": "variable"], "qName": "vYear", "qDefinition": "2024"]])) {
            for method in ["GetLayout", "GetRawContent"] { _ = await call(method, handle: variable) }
        }
        _ = await call("GetVariableByName", handle: 1, ["vYear"])
        _ = await call("GetVariableById", handle: 1, ["var-new"])
        if let variable = handle(await call("GetVariable", handle: 1, ["vYear"])) {
            for method in ["GetContent", "GetRawContent", "GetNxProperties"] { _ = await call(method, handle: variable) }
        }
        _ = await call("DestroySessionVariableById", handle: 1, ["var-new"])
        if let bookmark = bookmarks.first.flatMap({ ($0["qInfo"] as? [String: Any])?["qId"] as? String }),
           let opened = handle(await call("GetBookmark", handle: 1, [bookmark])) {
            _ = await call("GetLayout", handle: opened)
            _ = await call("GetFieldValues", handle: opened, ["Region", false, ["qStartIndex": 0, "qEndIndex": 10]])
        }
        _ = await call("DoReloadEx", handle: 1, [["qMode": 0, "qPartial": false, "qDebug": false]])
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("a scripted conversation over search, temporary selection states and bookmarks, alternate states, bookmark application, range selections and a pivot table passes the schema check")
    func searchAndRangeConversation() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let app = try #require(await sandbox.tenant.apps.first { $0.name == "Sales Analysis" })
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: try #require(await sandbox.tenant.usersByCreation.first).id)
        session.checksAnswers = true
        var failures: [String] = []
        var id = 0
        func call(_ method: String, handle: Int, _ params: Any = [Any]()) async -> [String: Any] {
            id += 1
            let reply = await EngineConversationTests.call(&session, id, method, handle: handle, params)
            if let error = reply["error"] as? [String: Any] { failures.append("\(method): \(error["message"] ?? "")") }
            return reply["result"] as? [String: Any] ?? [:]
        }
        func handle(_ result: [String: Any]) -> Int? { (result["qReturn"] as? [String: Any])?["qHandle"] as? Int }
        _ = await call("OpenDoc", handle: -1, [app.id])
        let options: [String: Any] = ["qSearchFields": ["Region", "Country"], "qContext": "Cleared"]
        _ = await call("SearchSuggest", handle: 1, [options, ["E"]])
        _ = await call("SearchResults", handle: 1, [options, ["EMEA"], ["qOffset": 0, "qCount": 5, "qMaxNbrFieldMatches": 5]])
        _ = await call("SearchValues", handle: 1, [["qSearchFields": ["Region"]], ["EM"], ["qOffset": 0, "qCount": 5, "qMaxNbrFieldMatches": 5]])
        _ = await call("SelectAssociations", handle: 1, [options, ["EMEA"], 0])
        _ = await call("GetMatchingFields", handle: 1, [["$numeric"]])
        _ = await call("FindMatchingFields", handle: 1, ["Country", ["$text"]])
        let stored = await call("StoreTempSelectionState", handle: 1, [60])
        if let state = stored["qId"] as? String { _ = await call("RestoreTempSelectionState", handle: 1, [state]) }
        let bookmarks = await call("GetBookmarks", handle: 1, [["qTypes": ["bookmark"]]])["qList"] as? [[String: Any]] ?? []
        if let bookmark = bookmarks.first.flatMap({ ($0["qInfo"] as? [String: Any])?["qId"] as? String }) {
            _ = await call("ApplyBookmark", handle: 1, [bookmark])
            _ = await call("ApplyAndVerifyBookmark", handle: 1, [bookmark])
            if let opened = handle(await call("GetBookmark", handle: 1, [bookmark])) {
                _ = await call("Apply", handle: opened)
                _ = await call("ApplyAndVerify", handle: opened)
            }
        }
        _ = await call("SearchObjects", handle: 1, [["qAttributes": ["title"]], ["revenue"], ["qOffset": 0, "qCount": 5, "qMaxNbrFieldMatches": 5]])
        let temporary = await call("CreateTemporaryBookmark", handle: 1, [["qIncludeVariables": true, "qIncludeAllPatches": false]])
        if let bookmark = temporary["qId"] as? String { _ = await call("ApplyTemporaryBookmark", handle: 1, [bookmark]) }
        _ = await call("AddSessionAlternateState", handle: 1, ["Compare"])
        _ = await call("RemoveSessionAlternateState", handle: 1, ["Compare"])
        _ = await call("ClearAll", handle: 1, [false])
        let list: [String: Any] = ["qInfo": ["qType": "listbox"], "qListObjectDef": ["qDef": ["qFieldDefs": ["Country"]]]]
        if let object = handle(await call("CreateSessionObject", handle: 1, [list])) {
            _ = await call("SearchListObjectFor", handle: object, ["/qListObjectDef", "Ger*"])
            _ = await call("AcceptListObjectSearch", handle: object, ["/qListObjectDef", false])
            _ = await call("SearchListObjectFor", handle: object, ["/qListObjectDef", "Fr*"])
            _ = await call("AbortListObjectSearch", handle: object, ["/qListObjectDef"])
            _ = await call("SelectListObjectContinuousRange", handle: object, ["/qListObjectDef", [["qMin": 0, "qMax": 100, "qMinInclEq": true, "qMaxInclEq": true]]])
            _ = await call("GetLinkedObjects", handle: object)
        }
        let cube: [String: Any] = ["qInfo": ["qType": "table"], "qHyperCubeDef": [
            "qDimensions": [["qDef": ["qFieldDefs": ["Region"]]]], "qMeasures": [["qDef": ["qDef": "Sum(Quantity)"]]]]]
        if let object = handle(await call("CreateSessionObject", handle: 1, [cube])) {
            let range: [String: Any] = ["qRange": ["qMin": 0, "qMax": 1_000_000, "qMinInclEq": true, "qMaxInclEq": true], "qMeasureIx": 0]
            _ = await call("RangeSelectHyperCubeValues", handle: object, ["/qHyperCubeDef", [range]])
            _ = await call("MultiRangeSelectHyperCubeValues", handle: object, ["/qHyperCubeDef", [["qRanges": [range], "qColumnsToSelect": [0]]]])
            _ = await call("SelectHyperCubeCells", handle: object, ["/qHyperCubeDef", [0], [0]])
            _ = await call("SelectHyperCubeContinuousRange", handle: object, ["/qHyperCubeDef", [["qRange": ["qMin": 0, "qMax": 1, "qMinInclEq": true, "qMaxInclEq": true], "qDimIx": 0]]])
        }
        let pivot: [String: Any] = ["qInfo": ["qType": "pivot-table"], "qHyperCubeDef": [
            "qMode": "P", "qNoOfLeftDims": 1, "qDimensions": [["qDef": ["qFieldDefs": ["Region"]]], ["qDef": ["qFieldDefs": ["Channel"]]]],
            "qMeasures": [["qDef": ["qDef": "Sum(Quantity)"]]]]]
        if let object = handle(await call("CreateSessionObject", handle: 1, [pivot])) {
            _ = await call("GetLayout", handle: object)
            _ = await call("GetHyperCubePivotData", handle: object, ["/qHyperCubeDef", [["qTop": 0, "qLeft": 0, "qWidth": 5, "qHeight": 5]]])
            for method in ["ExpandLeft", "ExpandTop", "CollapseLeft", "CollapseTop"] { _ = await call(method, handle: object, ["/qHyperCubeDef", 0, 0, true]) }
            _ = await call("SelectPivotCells", handle: object, ["/qHyperCubeDef", [["qType": "L", "qCol": 0, "qRow": 0]]])
        }
        if let variable = handle(await call("CreateSessionVariable", handle: 1, [["qInfo": ["qId": "v1", "qType": "variable"], "qName": "vOne", "qDefinition": "1"]])) {
            _ = await call("GetLayout", handle: variable)
        }
        _ = await call("DestroySessionVariableByName", handle: 1, ["vOne"])
        _ = await call("CreateSessionVariable", handle: 1, [["qInfo": ["qId": "v2", "qType": "variable"], "qName": "vTwo", "qDefinition": "2"]])
        _ = await call("DestroySessionVariable", handle: 1, ["v2"])
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
