import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: tree hypercubes (qMode T)")
struct EngineTreeDataTests {
    static func tree(_ dimensions: [String] = ["Category", "ProductID"], measures: [String] = ["Sum(Amount)"]) -> [String: Any] {
        ["qInfo": ["qType": "org-chart"], "qHyperCubeDef": [
            "qMode": "T", "qDimensions": dimensions.map { ["qDef": ["qFieldDefs": [$0]]] }, "qMeasures": measures.map { ["qDef": ["qDef": $0]] },
        ]]
    }

    /// The nodes of a GetHyperCubeTreeData answer.
    static func nodes(_ app: inout AssociativeFixture, _ handle: Int, _ options: [String: Any]? = nil) async throws -> [[String: Any]] {
        let params: [String: Any] = options.map { ["qPath": "/qHyperCubeDef", "qNodeOptions": $0] } ?? ["qPath": "/qHyperCubeDef"]
        return try #require(try await app.result("GetHyperCubeTreeData", handle: handle, params)["qNodes"] as? [[String: Any]])
    }

    /// A node's text with its children's in brackets.
    static func outline(_ node: [String: Any]) -> String {
        let children = ((node["qNodes"] as? [[String: Any]]) ?? []).map(outline)
        return (node["qText"] as? String ?? "?") + (children.isEmpty ? "" : "[" + children.joined(separator: ",") + "]")
    }

    static func firstValue(_ node: [String: Any]) -> Double? { ((node["qValues"] as? [[String: Any]])?.first?["qValue"] as? NSNumber)?.doubleValue }

    @Test("the tree is one root (qType R, the measures' totals) over each dimension's values, nested in load order")
    func wholeTree() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.tree())
        let root = try #require(try await Self.nodes(&app, handle).first)
        #expect(root["qType"] as? String == "R" && Self.firstValue(root) == 112)
        #expect(Self.outline(root) == "[Tools[100,102],Toys[101],Food[103]]")
        let tools = try #require((root["qNodes"] as? [[String: Any]])?.first)
        #expect(Self.firstValue(tools) == 85 && tools["qGroupSize"] as? Int == 2 && tools["qTreePath"] as? [Int] == [])
        let product102 = try #require((tools["qNodes"] as? [[String: Any]])?.last)
        #expect(Self.firstValue(product102) == 5 && product102["qGroupPos"] as? Int == 1 && product102["qTreePath"] as? [Int] == [0] && product102["qRow"] as? Int == 1)
    }

    @Test("the layout of a tree cube counts each dimension's nodes in qTreeNodesOnDim")
    func layout() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.tree())
        let cube = try #require((try await app.result("GetLayout", handle: handle)["qLayout"] as? [String: Any])?["qHyperCube"] as? [String: Any])
        #expect(cube["qMode"] as? String == "T" && cube["qTreeNodesOnDim"] as? [Int] == [3, 4])
    }

    @Test("a level's qArea pages its nodes by qRow, qMaxNbrOfNodes below the tree's size answers no nodes, qTreeLevels leaves out dimensions")
    func paging() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.tree())
        let page: [String: Any] = ["qTreeNodes": [["qArea": ["qLeft": 0, "qTop": 1, "qWidth": 1, "qHeight": 1]]]]
        #expect(try await Self.nodes(&app, handle, page).map(Self.outline) == ["[Toys[101]]"])
        #expect(try await Self.nodes(&app, handle, ["qMaxNbrOfNodes": 3]).isEmpty)
        #expect(try await Self.nodes(&app, handle, ["qTreeLevels": ["qLeft": 1, "qDepth": 1]]).map(Self.outline) == ["[100,101,102,103]"])
    }

    @Test("tree nodes and their measures follow the selections")
    func selections() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.tree())
        try await app.select("Country", ["US"])
        let root = try #require(try await Self.nodes(&app, handle).first)
        #expect(Self.outline(root) == "[Tools[100,102]]" && Self.firstValue(root) == 35)
    }

    @Test("MultiRangeSelectTreeDataValues selects a dimension's values whose measure lies in the range")
    func rangeSelect() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.tree())
        let range: [String: Any] = ["qRange": ["qMin": 20, "qMax": 100, "qMinInclEq": true, "qMaxInclEq": true], "qMeasureIx": 0, "qDimensionIx": 0]
        let answer = try await app.result("MultiRangeSelectTreeDataValues", handle: handle, ["/qHyperCubeDef", [["qRanges": [range]]]])
        #expect(answer["qSuccess"] as? Bool == true)
        #expect(try await app.states("Category") == ["Tools:S", "Toys:S", "Food:A"])
    }

    @Test("with qDeselectOnlyOneSelected, range-selecting again the one selected value clears it")
    func deselectOnlyOne() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.tree())
        let range: [String: Any] = ["qRange": ["qMin": 80, "qMax": 90, "qMinInclEq": true, "qMaxInclEq": true], "qMeasureIx": 0, "qDimensionIx": 0]
        let params: [String: Any] = ["qPath": "/qHyperCubeDef", "qRanges": [["qRanges": [range]]], "qOrMode": false, "qDeselectOnlyOneSelected": true]
        _ = try await app.result("MultiRangeSelectTreeDataValues", handle: handle, params)
        #expect(try await app.evaluate("Sum(Amount)") == "85")
        _ = try await app.result("MultiRangeSelectTreeDataValues", handle: handle, params)
        #expect(try await app.evaluate("Sum(Amount)") == "112")
    }

    @Test("tree methods on a straight cube answer an error that names qMode")
    func straightCube() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(EngineObjectDataTests.cube(["Country"]))
        let answer = await app.call("GetHyperCubeTreeData", handle: handle, ["/qHyperCubeDef"])
        #expect((answer["error"] as? [String: Any])?["parameter"] as? String == "qMode")
    }
}
