import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: hypercube and list object data under selections")
struct EngineObjectDataTests {
    static func cube(_ dimensions: [String], measures: [String] = []) -> [String: Any] {
        ["qInfo": ["qType": "table"], "qHyperCubeDef": [
            "qDimensions": dimensions.map { ["qDef": ["qFieldDefs": [$0]]] },
            "qMeasures": measures.map { ["qDef": ["qDef": $0]] },
            "qInitialDataFetch": [["qTop": 0, "qLeft": 0, "qWidth": dimensions.count + measures.count, "qHeight": 50]],
        ]]
    }

    /// The cells of a cube's first page (from its layout): "text/state" per cell, a row per line.
    static func rows(_ app: inout AssociativeFixture, _ handle: Int) async throws -> [[String]] {
        let layout = try #require(try await app.result("GetLayout", handle: handle)["qLayout"] as? [String: Any])
        let cube = try #require(layout["qHyperCube"] as? [String: Any])
        let matrix = try #require((cube["qDataPages"] as? [[String: Any]])?.first?["qMatrix"] as? [[[String: Any]]])
        return matrix.map { $0.map { "\($0["qText"] as? String ?? "?")/\($0["qState"] as? String ?? "?")" } }
    }

    @Test("a hypercube holds only the rows the selections leave possible; selected values' cells are in state S")
    func cubeUnderSelections() async throws {
        var app = try await AssociativeFixture.make()
        let orders = try await app.object(Self.cube(["OrderID", "CustomerID"]))
        #expect(try await Self.rows(&app, orders).count == 5)
        try await app.select("Country", ["US"])
        #expect(try await Self.rows(&app, orders) == [["12/O", "2/O"], ["13/O", "3/O"]])
        try await app.select("CustomerID", ["2"])
        #expect(try await Self.rows(&app, orders) == [["12/O", "2/S"]])
        let page = try await app.result("GetHyperCubeData", handle: orders, ["/qHyperCubeDef", [["qTop": 0, "qLeft": 0, "qWidth": 2, "qHeight": 10]]])
        #expect(((page["qDataPages"] as? [[String: Any]])?.first?["qArea"] as? [String: Any])?["qHeight"] as? Int == 1)
    }

    @Test("a measure aggregates per dimension row, over associated tables too, with qMin and qMax")
    func measures() async throws {
        var app = try await AssociativeFixture.make()
        let byName = try await app.object(Self.cube(["Name"], measures: ["Sum(Amount)"]))
        #expect(try await Self.rows(&app, byName) == [["Ann/O", "70/L"], ["Bob/O", "30/L"], ["Cid/O", "5/L"], ["Dee/O", "0/L"]])
        let layout = try #require(try await app.result("GetLayout", handle: byName)["qLayout"] as? [String: Any])
        let info = try #require(((layout["qHyperCube"] as? [String: Any])?["qMeasureInfo"] as? [[String: Any]])?.first)
        #expect(info["qMax"] as? Double == 70 && info["qMin"] as? Double == 0 && info["qFallbackTitle"] as? String == "Sum(Amount)")
        let byProduct = try await app.object(Self.cube(["ProductID"], measures: ["Count(OrderID)", "Sum(Amount)/Count(OrderID)"]))
        try await app.select("Country", ["US"])
        #expect(try await Self.rows(&app, byProduct) == [["100/O", "1/L", "30/L"], ["102/O", "1/L", "5/L"]])
        #expect(try await Self.rows(&app, byName) == [["Bob/O", "30/L"], ["Cid/O", "5/L"]])
    }

    @Test("a list object shows its field's states, counts them in qStateCounts, and selects by element number")
    func listObject() async throws {
        var app = try await AssociativeFixture.make()
        let list = try await app.object(["qInfo": ["qType": "listbox"], "qListObjectDef": ["qDef": ["qFieldDefs": ["Category"]],
                                          "qInitialDataFetch": [["qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 10]]]])
        let selected = try await app.result("SelectListObjectValues", handle: list, ["/qListObjectDef", [0], true])
        #expect(selected["qSuccess"] as? Bool == true)
        #expect(try await app.evaluate("Sum(Amount)") == "85")
        let layout = try #require(try await app.result("GetLayout", handle: list)["qLayout"] as? [String: Any])
        let object = try #require(layout["qListObject"] as? [String: Any])
        let counts = try #require((object["qDimensionInfo"] as? [String: Any])?["qStateCounts"] as? [String: Any])
        #expect(counts["qSelected"] as? Int == 1 && counts["qAlternative"] as? Int == 2)
        #expect((object["qSize"] as? [String: Any])?["qcy"] as? Int == 3)
        _ = try await app.result("SelectListObjectAlternative", handle: list, ["/qListObjectDef"])
        #expect(try await app.states("Category") == ["Toys:S", "Food:S", "Tools:A"])
        _ = try await app.result("ClearSelections", handle: list, ["/qListObjectDef"])
        #expect(try await app.evaluate("Sum(Amount)") == "112")
    }

    @Test("SelectHyperCubeValues selects a dimension's values by the cube's element numbers")
    func selectHyperCubeValues() async throws {
        var app = try await AssociativeFixture.make()
        let countries = try await app.object(Self.cube(["Country"]))
        let answer = try await app.result("SelectHyperCubeValues", handle: countries, ["/qHyperCubeDef", 0, [1], false])
        #expect(answer["qSuccess"] as? Bool == true)
        #expect(try await Self.rows(&app, countries) == [["US/S"]])
        #expect(try await app.evaluate("Sum(Amount)") == "35")
    }

    @Test("EndSelections without accepting restores the selections BeginSelections found")
    func selectionMode() async throws {
        var app = try await AssociativeFixture.make()
        let list = try await app.object(["qInfo": ["qType": "listbox"], "qListObjectDef": ["qDef": ["qFieldDefs": ["Country"]]]])
        _ = try await app.result("BeginSelections", handle: list, [["/qListObjectDef"]])
        _ = try await app.result("SelectListObjectValues", handle: list, ["/qListObjectDef", [1], false])
        #expect(try await app.evaluate("Sum(Amount)") == "35")
        _ = try await app.result("EndSelections", handle: list, [false])
        #expect(try await app.evaluate("Sum(Amount)") == "112")
    }
}

@Suite("Sandbox engine: hypercubes over associated tables")
struct EngineJoinedCubeTests {
    @Test("dimensions from two tables make the combinations their rows associate, outer as associations are")
    func joinedDimensions() async throws {
        var app = try await AssociativeFixture.make()
        let cube = try await app.object(EngineObjectDataTests.cube(["Name", "Category"], measures: ["Sum(Amount)"]))
        #expect(try await EngineObjectDataTests.rows(&app, cube) == [
            ["Ann/O", "Tools/O", "50/L"], ["Ann/O", "Toys/O", "20/L"], ["Bob/O", "Tools/O", "30/L"], ["Cid/O", "Tools/O", "5/L"],
            ["Dee/O", "-/O", "0/L"], ["-/O", "Toys/O", "7/L"], ["-/O", "Food/O", "0/L"],
        ])
        try await app.select("Country", ["US"])
        #expect(try await EngineObjectDataTests.rows(&app, cube) == [["Bob/O", "Tools/O", "30/L"], ["Cid/O", "Tools/O", "5/L"]])
        let answer = try await app.result("SelectHyperCubeValues", handle: cube, ["/qHyperCubeDef", 0, [1], false])
        #expect(answer["qSuccess"] as? Bool == true)
        #expect(try await app.evaluate("Only(Name)") == "Bob")
    }
}
