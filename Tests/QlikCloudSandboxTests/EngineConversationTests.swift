import Foundation
import NIOCore
import QVD
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine JSON-RPC")
struct EngineConversationTests {
    /// A sandbox whose first app holds Orders(OrderID, Region, Amount) with `rows` rows.
    static func sandboxWithOrders(rows: Int = 30) async throws -> (QlikCloudSandbox, SandboxApp) {
        let sandbox = await QlikCloudSandbox.make()
        let app = try #require(await sandbox.tenant.apps.first)
        let table = DataTable(name: "Orders", fields: ["OrderID", "Region", "Amount"], columns: [
            (0..<rows).map { .integer(Int64($0)) },
            (0..<rows).map { $0 % 7 == 0 ? .null : .text(["EU", "US", "APAC"][$0 % 3]) },
            (0..<rows).map { .dual(Double($0) / 2, "\(Double($0) / 2) €") },
        ])
        await sandbox.tenant.setDataModel(app.id, DataModel(tables: [table, DataTable(name: "Regions", fields: ["Region", "Manager"],
            columns: [[.text("EU"), .text("US")], [.text("Anna"), .text("Bob")]])]))
        return (sandbox, app)
    }

    /// One request and its reply, through the same JSON writer the socket uses, parsed back as a client would.
    static func call(_ session: inout EngineConversation, _ id: Int, _ method: String, handle: Int = -1, _ params: Any = [Any]()) async -> [String: Any] {
        guard let reply = await session.handle(["jsonrpc": "2.0", "id": id, "method": method, "handle": handle, "params": params]) else { return [:] }
        let text = JSONWriter.serialize(reply)
        return ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]) ?? ["unparsable": text]
    }

    @Test("OpenDoc, GetTablesAndKeys and GetTableData read the app's data model")
    func tables() async throws {
        let (sandbox, app) = try await Self.sandboxWithOrders()
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: "u")
        let open = await Self.call(&session, 1, "OpenDoc", [app.id])
        #expect(((open["result"] as? [String: Any])?["qReturn"] as? [String: Any])?["qHandle"] as? Int == 1)
        let keys = await Self.call(&session, 2, "GetTablesAndKeys", handle: 1, [["qcx": 1000, "qcy": 1000], ["qcx": 0, "qcy": 0], 30, false, false])
        let result = try #require(keys["result"] as? [String: Any])
        let tables = try #require(result["qtr"] as? [[String: Any]])
        #expect(tables.map { $0["qName"] as? String } == ["Orders", "Regions"])
        #expect(tables.first?["qNoOfRows"] as? Int == 30)
        let region = try #require((tables.first?["qFields"] as? [[String: Any]])?.first { $0["qName"] as? String == "Region" })
        #expect(region["qKeyType"] as? String == "ANY_KEY" && region["qHasNull"] as? Bool == true)
        #expect((result["qk"] as? [[String: Any]])?.first?["qKeyFields"] as? [String] == ["Region"])
        let data = await Self.call(&session, 3, "GetTableData", handle: 1, [5, 3, false, "Orders"])
        let rows = try #require((data["result"] as? [String: Any])?["qData"] as? [[String: Any]])
        #expect(rows.count == 3)
        let first = try #require(rows.first?["qValue"] as? [[String: Any]])
        #expect(first[0]["qNumber"] as? Double == 5 && first[0]["qIsNumeric"] as? Bool == true)
        #expect(first[1]["qText"] as? String == "APAC")
        #expect(first[2]["qText"] as? String == "2.5 €" && first[2]["qNumber"] as? Double == 2.5)
    }

    @Test("a hypercube pages distinct rows with element numbers; more than 10,000 cells is error 7009")
    func hyperCube() async throws {
        let (sandbox, app) = try await Self.sandboxWithOrders(rows: 5000)
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: "u")
        _ = await Self.call(&session, 1, "OpenDoc", ["qDocName": app.id])
        let definition: [String: Any] = ["qInfo": ["qType": "x"], "qHyperCubeDef": [
            "qDimensions": [["qDef": ["qFieldDefs": ["OrderID"]]], ["qDef": ["qFieldDefs": ["Region"]]]],
            "qMeasures": [Any](), "qInitialDataFetch": [Any](),
        ]]
        let created = await Self.call(&session, 2, "CreateSessionObject", handle: 1, [definition])
        let object = try #require((created["result"] as? [String: Any])?["qReturn"] as? [String: Any])
        let handle = try #require(object["qHandle"] as? Int)
        let layout = await Self.call(&session, 3, "GetLayout", handle: handle)
        let cube = try #require(((layout["result"] as? [String: Any])?["qLayout"] as? [String: Any])?["qHyperCube"] as? [String: Any])
        #expect((cube["qSize"] as? [String: Any])?["qcy"] as? Int == 5000)
        let page = await Self.call(&session, 4, "GetHyperCubeData", handle: handle, ["/qHyperCubeDef", [["qTop": 0, "qLeft": 0, "qWidth": 2, "qHeight": 5000]]])
        let pages = try #require((page["result"] as? [String: Any])?["qDataPages"] as? [[String: Any]])
        let matrix = try #require(pages.first?["qMatrix"] as? [[[String: Any]]])
        #expect(matrix.count == 5000)
        #expect(matrix[0][1]["qElemNumber"] as? Int == -2) // row 0: Region is null
        #expect(matrix[1][1]["qText"] as? String == "US" && matrix[1][1]["qNum"] as? String == "NaN")
        let tooLarge = await Self.call(&session, 5, "GetHyperCubeData", handle: handle, ["/qHyperCubeDef", [["qTop": 0, "qLeft": 0, "qWidth": 2, "qHeight": 5001]]])
        #expect((tooLarge["error"] as? [String: Any])?["code"] as? Int == 7009)
        let destroyed = await Self.call(&session, 6, "DestroySessionObject", handle: 1, [object["qGenericId"] as? String ?? ""])
        #expect((destroyed["result"] as? [String: Any])?["qSuccess"] as? Bool == true)
        let gone = await Self.call(&session, 7, "GetLayout", handle: handle)
        #expect(gone["error"] != nil)
    }

    @Test("a session app takes a script and reloads it; unknown methods and handles are errors")
    func sessionApp() async throws {
        let (sandbox, app) = try await Self.sandboxWithOrders()
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: "u")
        let created = await Self.call(&session, 1, "CreateSessionApp")
        #expect(((created["result"] as? [String: Any])?["qSessionAppId"] as? String)?.hasPrefix("SessionApp_") == true)
        _ = await Self.call(&session, 2, "SetScript", handle: 1, ["T:\nLOAD * INLINE [A, B\n1, x\n2, y];"])
        let script = await Self.call(&session, 3, "GetScript", handle: 1)
        #expect(((script["result"] as? [String: Any])?["qScript"] as? String)?.contains("INLINE") == true)
        let reload = await Self.call(&session, 4, "DoReload", handle: 1, [0, false, false])
        #expect((reload["result"] as? [String: Any])?["qReturn"] as? Bool == true)
        let data = await Self.call(&session, 5, "GetTableData", handle: 1, [0, 10, false, "T"])
        #expect(((data["result"] as? [String: Any])?["qData"] as? [[String: Any]])?.count == 2)
        #expect((await Self.call(&session, 6, "NoSuchMethod", handle: 1)["error"] as? [String: Any])?["code"] as? Int == -32601)
        #expect((await Self.call(&session, 7, "GetLayout", handle: 99)["error"] as? [String: Any]) != nil)
        #expect((await Self.call(&session, 8, "EngineVersion")["result"] as? [String: Any])?["qVersion"] != nil)
        // The tenant's app was not touched by the session app.
        #expect(await sandbox.tenant.app(app.id)?.dataModel.tables.count == 2)
    }
}

@Suite("Sandbox engine JSON writer")
struct JSONWriterTests {
    @Test("writes what JSONSerialization reads back: escapes, numbers, booleans, nulls, raw fragments, parsed ids")
    func roundTrip() async throws {
        let parsed = try JSONSerialization.jsonObject(with: Data(#"{"id":1,"other":2}"#.utf8)) as? [String: Any]
        let value: [String: Any] = [
            "text": "quote \" backslash \\ newline \n tab \t bell \u{7} ü 日本", "int": 42, "negative": -7, "double": 2.5, "whole": 3.0,
            "true": true, "false": false, "null": NSNull(), "array": [1, "two", [3]], "raw": RawJSON(buffer: ByteBuffer(string: #"{"x":[1,2]}"#)),
            "zero": 0, "max": Int.max, "min": Int.min,
            "id": parsed?["id"] as? Int ?? -1,
        ]
        let text = JSONWriter.serialize(value)
        let back = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(back["text"] as? String == value["text"] as? String)
        #expect(back["int"] as? Int == 42 && back["negative"] as? Int == -7 && back["double"] as? Double == 2.5 && back["whole"] as? Int == 3)
        #expect(text.contains(#""true":true"#) && text.contains(#""false":false"#) && text.contains(#""null":null"#) && text.contains(#""id":1"#))
        #expect((back["raw"] as? [String: Any])?["x"] as? [Int] == [1, 2])
        #expect((back["array"] as? [Any])?.count == 3)
        #expect(text.contains(#""zero":0}"#) && text.contains(#""max":9223372036854775807"#) && text.contains(#""min":-9223372036854775808"#))
        var session = EngineConversation(tenant: Tenant(configuration: SandboxConfiguration()), appID: "a", userID: "u")
        let reply = await session.handle(["jsonrpc": "2.0", "id": parsed?["id"] as Any, "method": "EngineVersion", "handle": -1])
        #expect(JSONWriter.serialize(reply ?? [:]).contains(#""id":1,"#))
    }
}
