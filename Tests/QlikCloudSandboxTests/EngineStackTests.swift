import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: stacked hypercubes (qMode K)")
struct EngineStackTests {
    static func stack(_ dimensions: [String], measures: [String]) -> [String: Any] {
        ["qInfo": ["qType": "barchart"], "qHyperCubeDef": [
            "qMode": "K", "qDimensions": dimensions.map { ["qDef": ["qFieldDefs": [$0]]] },
            "qMeasures": measures.map { ["qDef": ["qDef": $0]] },
            "qInitialDataFetch": [["qTop": 0, "qLeft": 0, "qWidth": 3, "qHeight": 10]],
        ]]
    }

    /// A stack cell's tree as text: "text(children)", values as their text.
    static func text(_ cell: [String: Any]) -> String {
        let children = (cell["qSubNodes"] as? [[String: Any]] ?? []).map(text)
        return (cell["qText"] as? String ?? "?") + (children.isEmpty ? "" : "(" + children.joined(separator: ",") + ")")
    }

    @Test("GetHyperCubeStackData answers one root cell whose nodes are the dimensions' combinations, each leaf its measure's value, with qMaxPos sums")
    func stackData() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.stack(["Category", "ProductID"], measures: ["Sum(Amount)"]))
        let answer = try await app.result("GetHyperCubeStackData", handle: handle, ["/qHyperCubeDef", [["qTop": 0, "qLeft": 0, "qWidth": 3, "qHeight": 2]]])
        let page = try #require((answer["qDataPages"] as? [[String: Any]])?.first)
        let root = try #require((page["qData"] as? [[String: Any]])?.first)
        #expect(root["qType"] as? String == "R" && root["qDown"] as? Int == 1)
        #expect(Self.text(root) == "(Tools(100(80),102(5)),Toys(101(27)))")
        #expect((root["qSubNodes"] as? [[String: Any]])?.first?["qMaxPos"] as? Double == 85)
        #expect((page["qArea"] as? [String: Any])?["qHeight"] as? Int == 2)
    }

    @Test("a stack shows only what the selections leave possible, in its layout's qStackedDataPages too")
    func stackUnderSelections() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.stack(["Category"], measures: ["Sum(Amount)", "Count(OrderID)"]))
        try await app.select("Country", ["US"])
        let layout = try #require(try await app.result("GetLayout", handle: handle)["qLayout"] as? [String: Any])
        let page = try #require(((layout["qHyperCube"] as? [String: Any])?["qStackedDataPages"] as? [[String: Any]])?.first)
        let root = try #require((page["qData"] as? [[String: Any]])?.first)
        #expect(Self.text(root) == "(Tools(35,2))")
    }
}
