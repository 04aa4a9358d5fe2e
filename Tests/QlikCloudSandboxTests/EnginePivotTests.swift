import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: pivot hypercubes (qMode P)")
struct EnginePivotTests {
    static func pivot(_ dimensions: [String], measures: [String], left: Int, fullyExpanded: Bool = false) -> [String: Any] {
        ["qInfo": ["qType": "pivot-table"], "qHyperCubeDef": [
            "qMode": "P", "qNoOfLeftDims": left, "qAlwaysFullyExpanded": fullyExpanded,
            "qDimensions": dimensions.map { ["qDef": ["qFieldDefs": [$0]]] },
            "qMeasures": measures.map { ["qDef": ["qDef": $0]] },
            "qInitialDataFetch": [["qTop": 0, "qLeft": 0, "qWidth": 10, "qHeight": 10]],
        ]]
    }

    /// One pivot page: each left node's text with its children's in brackets, the top's likewise, and the data texts.
    static func page(_ app: inout AssociativeFixture, _ handle: Int) async throws -> (left: [String], top: [String], data: [[String]]) {
        let answer = try await app.result("GetHyperCubePivotData", handle: handle, ["/qHyperCubeDef", [["qTop": 0, "qLeft": 0, "qWidth": 10, "qHeight": 10]]])
        let page = try #require((answer["qDataPages"] as? [[String: Any]])?.first)
        func texts(_ cells: Any?) -> [String] {
            ((cells as? [[String: Any]]) ?? []).map { cell in
                let children = texts(cell["qSubNodes"])
                return (cell["qText"] as? String ?? "?") + (children.isEmpty ? "" : "[" + children.joined(separator: ",") + "]")
            }
        }
        let data = ((page["qData"] as? [[[String: Any]]]) ?? []).map { $0.map { $0["qText"] as? String ?? "?" } }
        return (texts(page["qLeft"]), texts(page["qTop"]), data)
    }

    @Test("a pivot shows its first left level collapsed, a column per measure under pseudo cells, each cell the measure over its values")
    func collapsed() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.pivot(["Category", "ProductID"], measures: ["Sum(Amount)", "Count(OrderID)"], left: 2))
        let page = try await Self.page(&app, handle)
        #expect(page.left == ["Tools", "Toys", "Food"])
        #expect(page.top == ["Sum(Amount)", "Count(OrderID)"])
        #expect(page.data == [["85", "3"], ["27", "2"], ["0", "0"]])
        let layout = try #require(try await app.result("GetLayout", handle: handle)["qLayout"] as? [String: Any])
        let cube = try #require(layout["qHyperCube"] as? [String: Any])
        #expect(cube["qMode"] as? String == "P" && cube["qNoOfLeftDims"] as? Int == 2)
        #expect((cube["qSize"] as? [String: Any])?["qcx"] as? Int == 2 && (cube["qSize"] as? [String: Any])?["qcy"] as? Int == 3)
        #expect(((cube["qPivotDataPages"] as? [[String: Any]])?.first?["qData"] as? [[Any]])?.count == 3)
    }

    @Test("ExpandLeft shows a node's children as rows and CollapseLeft hides them again; qAll expands every node")
    func expandLeft() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.pivot(["Category", "ProductID"], measures: ["Sum(Amount)"], left: 2))
        let answer = await app.call("ExpandLeft", handle: handle, ["/qHyperCubeDef", 0, 0, false])
        #expect((answer["change"] as? [Int] ?? []).contains(handle))
        var page = try await Self.page(&app, handle)
        #expect(page.left == ["Tools[100,102]", "Toys", "Food"] && page.data == [["80"], ["5"], ["27"], ["0"]])
        _ = try await app.result("CollapseLeft", handle: handle, ["/qHyperCubeDef", 0, 0, false])
        #expect(try await Self.page(&app, handle).left == ["Tools", "Toys", "Food"])
        _ = try await app.result("ExpandLeft", handle: handle, ["/qHyperCubeDef", 0, 0, true])
        page = try await Self.page(&app, handle)
        #expect(page.left == ["Tools[100,102]", "Toys[101]", "Food[103]"])
    }

    @Test("top dimensions make the columns; ExpandTop opens a column's node into its children's columns")
    func expandTop() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.pivot(["Country", "Name"], measures: ["Sum(Amount)"], left: 0))
        #expect(try await Self.page(&app, handle).data == [["70", "35", "0"]])
        _ = try await app.result("ExpandTop", handle: handle, ["/qHyperCubeDef", 0, 1, false])
        let page = try await Self.page(&app, handle)
        #expect(page.top == ["DE", "US[Bob,Cid]", "FR"] && page.data == [["70", "30", "5", "0"]])
    }

    @Test("a pivot shows only what the selections leave possible, and SelectPivotCells selects a left cell's value")
    func selections() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.pivot(["Category", "ProductID"], measures: ["Sum(Amount)"], left: 2, fullyExpanded: true))
        #expect(try await Self.page(&app, handle).left == ["Tools[100,102]", "Toys[101]", "Food[103]"])
        let selected = try await app.result("SelectPivotCells", handle: handle, ["/qHyperCubeDef", [["qType": "L", "qRow": 2, "qCol": 0]]])
        #expect(selected["qSuccess"] as? Bool == true)
        #expect(try await app.evaluate("Sum(Amount)") == "27")
        _ = try await app.result("ClearAll")
        try await app.select("Country", ["US"])
        let page = try await Self.page(&app, handle)
        #expect(page.left == ["Tools[100,102]"] && page.data == [["30"], ["5"]])
    }

    @Test("pivot methods on a straight cube answer an error that names qMode")
    func straightCube() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(EngineObjectDataTests.cube(["Country"]))
        let answer = await app.call("GetHyperCubePivotData", handle: handle, ["/qHyperCubeDef", [["qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 1]]])
        let message = (answer["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("qMode"))
    }
}
