import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: alternate states")
struct EngineAlternateStateTests {
    @Test("selections in an alternate state narrow the objects of that state only; the default state stays as it was")
    func separateStates() async throws {
        var app = try await AssociativeFixture.make()
        _ = try await app.result("AddSessionAlternateState", ["B"])
        let country = try #require((try await app.result("GetField", ["Country", "B"])["qReturn"] as? [String: Any])?["qHandle"] as? Int)
        #expect(country != (try await app.field("Country")))
        _ = try await app.result("SelectValues", handle: country, [[["qText": "US"]]])
        #expect(try await app.evaluate("Sum(Amount)") == "112")
        #expect(try await app.states("Name") == ["Ann:O", "Bob:O", "Cid:O", "Dee:O"])
        let list = try await app.object(["qInfo": ["qType": "listbox"], "qListObjectDef": ["qStateName": "B", "qDef": ["qFieldDefs": ["Name"]],
                                          "qInitialDataFetch": [["qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 10]]]])
        let layout = try #require(try await app.result("GetLayout", handle: list)["qLayout"] as? [String: Any])
        let matrix = try #require(((layout["qListObject"] as? [String: Any])?["qDataPages"] as? [[String: Any]])?.first?["qMatrix"] as? [[[String: Any]]])
        #expect(matrix.map { "\($0[0]["qText"] as? String ?? "")/\($0[0]["qState"] as? String ?? "")" } == ["Bob/O", "Cid/O", "Ann/X", "Dee/X"])
        _ = try await app.result("ClearAll", [false, "B"])
        #expect(try await app.result("GetLayout", handle: list)["qLayout"] != nil)
        #expect(try await app.result("RemoveSessionAlternateState", ["B"])["qSuccess"] as? Bool == true)
        let gone = await app.call("GetField", ["Country", "B"])
        #expect((gone["error"] as? [String: Any])?["parameter"] as? String == "qStateName")
    }

    @Test("a new state copies its source state's selections")
    func sourceState() async throws {
        var app = try await AssociativeFixture.make()
        try await app.select("Country", ["US"])
        _ = try await app.result("AddSessionAlternateState", ["qStateName": "Copy", "qSourceStateName": "$"])
        let cube = try await app.object(["qInfo": ["qType": "table"], "qHyperCubeDef": ["qStateName": "Copy", "qDimensions": [["qDef": ["qFieldDefs": ["Name"]]]],
                                          "qInitialDataFetch": [["qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 10]]]])
        _ = try await app.result("ClearAll")
        #expect(try await EngineObjectDataTests.rows(&app, cube) == [["Bob/O"], ["Cid/O"]])
    }
}
