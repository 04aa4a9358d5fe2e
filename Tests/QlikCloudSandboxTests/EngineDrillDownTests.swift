import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: drill-down dimensions and DrillUp")
struct EngineDrillDownTests {
    /// A cube whose one dimension is a drill-down group over `fields`, with Sum(Amount).
    static func drillCube(_ fields: [String]) -> [String: Any] {
        ["qInfo": ["qType": "barchart"], "qHyperCubeDef": [
            "qDimensions": [["qDef": ["qGrouping": "H", "qFieldDefs": fields]]],
            "qMeasures": [["qDef": ["qDef": "Sum(Amount)"]]],
            "qInitialDataFetch": [["qTop": 0, "qLeft": 0, "qWidth": 2, "qHeight": 20]],
        ]]
    }

    /// The layout's first dimension info and the first column's texts of its first data page.
    static func shown(_ app: inout AssociativeFixture, _ handle: Int) async throws -> (info: [String: Any], values: [String]) {
        let layout = try #require(try await app.result("GetLayout", handle: handle)["qLayout"] as? [String: Any])
        let cube = try #require(layout["qHyperCube"] as? [String: Any])
        let info = try #require((cube["qDimensionInfo"] as? [[String: Any]])?.first)
        let rows = ((cube["qDataPages"] as? [[String: Any]])?.first?["qMatrix"] as? [[[String: Any]]]) ?? []
        return (info, rows.map { $0[0]["qText"] as? String ?? "?" })
    }

    @Test("a drill-down dimension shows its first field, with qGrouping H, every field in qGroupFieldDefs and qGroupPos 0")
    func firstLevel() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.drillCube(["Country", "Name"]))
        let shown = try await Self.shown(&app, handle)
        #expect(shown.info["qGrouping"] as? String == "H" && shown.info["qGroupPos"] as? Int == 0)
        #expect(shown.info["qGroupFieldDefs"] as? [String] == ["Country", "Name"] && shown.info["qFallbackTitle"] as? String == "Country")
        #expect(shown.values == ["DE", "US", "FR"])
    }

    @Test("selecting one value of the shown field moves the cube to the next field, in the layout and in data pages")
    func drillsDown() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.drillCube(["Country", "Name"]))
        _ = try await Self.shown(&app, handle)
        let selected = await app.call("SelectHyperCubeValues", handle: handle, ["/qHyperCubeDef", 0, [1], false])
        #expect((selected["change"] as? [Int] ?? []).contains(handle))
        // Read straight after the selection, before any layout: the page is the next level's.
        let pages = try #require(try await app.result("GetHyperCubeData", handle: handle, ["/qHyperCubeDef", [["qTop": 0, "qLeft": 0, "qWidth": 2, "qHeight": 10]]])["qDataPages"] as? [[String: Any]])
        let rows = try #require(pages.first?["qMatrix"] as? [[[String: Any]]])
        #expect(rows.map { $0.map { $0["qText"] as? String ?? "?" } } == [["Bob", "30"], ["Cid", "5"]])
        let shown = try await Self.shown(&app, handle)
        #expect(shown.info["qGroupPos"] as? Int == 1 && shown.info["qFallbackTitle"] as? String == "Name")
    }

    @Test("DrillUp clears the selections of the levels it climbs and shows the level above again")
    func drillUp() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.drillCube(["Country", "Name"]))
        try await app.select("Country", ["US"])
        #expect(try await Self.shown(&app, handle).values == ["Bob", "Cid"])
        let answer = await app.call("DrillUp", handle: handle, ["qPath": "/qHyperCubeDef", "qDimNo": 0, "qNbrSteps": 1])
        #expect(answer["result"] as? [String: Any] != nil && (answer["change"] as? [Int] ?? []).contains(handle))
        let shown = try await Self.shown(&app, handle)
        #expect(shown.info["qGroupPos"] as? Int == 0 && shown.values == ["DE", "US", "FR"])
        #expect(try await app.evaluate("Sum(Amount)") == "112")
    }

    @Test("DrillUp by more steps than there are levels shows the first level")
    func drillUpPastTheTop() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.drillCube(["Country", "Name", "CustomerID"]))
        try await app.select("Country", ["US"])
        try await app.select("Name", ["Bob"])
        #expect(try await Self.shown(&app, handle).info["qGroupPos"] as? Int == 2)
        _ = try await app.result("DrillUp", handle: handle, ["/qHyperCubeDef", 0, 5])
        #expect(try await Self.shown(&app, handle).info["qGroupPos"] as? Int == 0)
    }

    @Test("a master dimension with qGrouping H drills down in the charts that use it")
    func masterDimension() async throws {
        var app = try await AssociativeFixture.make()
        _ = try await app.result("CreateDimension", [["qInfo": ["qId": "dim-geo", "qType": "dimension"],
                                                      "qDim": ["qGrouping": "H", "qFieldDefs": ["Country", "Name"], "qFieldLabels": ["Country", "Name"]]]])
        let handle = try await app.object(["qInfo": ["qType": "barchart"], "qHyperCubeDef": [
            "qDimensions": [["qLibraryId": "dim-geo"]], "qMeasures": [["qDef": ["qDef": "Sum(Amount)"]]],
            "qInitialDataFetch": [["qTop": 0, "qLeft": 0, "qWidth": 2, "qHeight": 20]]]])
        try await app.select("Country", ["DE"])
        let shown = try await Self.shown(&app, handle)
        #expect(shown.info["qGroupFieldDefs"] as? [String] == ["Country", "Name"] && shown.values == ["Ann"])
    }

    @Test("DrillUp on a dimension that is no drill-down group answers an error naming qDimNo")
    func plainDimension() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(EngineObjectDataTests.cube(["Country"]))
        let answer = await app.call("DrillUp", handle: handle, ["/qHyperCubeDef", 0, 1])
        #expect((answer["error"] as? [String: Any])?["parameter"] as? String == "qDimNo")
    }
}
