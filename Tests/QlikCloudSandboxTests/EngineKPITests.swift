import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: hypercubes with measures and no dimensions (KPIs)")
struct EngineKPITests {
    typealias Doc = EngineDocObjectTests

    /// A KPI layout's one row of measure texts and its grand total texts.
    static func values(_ layout: [String: Any]) throws -> (row: [String], totals: [String]) {
        let cube = try #require(layout["qHyperCube"] as? [String: Any], "no qHyperCube in \(layout)")
        #expect(layout["qError"] == nil && cube["qError"] == nil)
        let size = try #require(cube["qSize"] as? [String: Any])
        #expect(size["qcy"] as? Int == 1)
        // A chart with no initial fetch (the default app's) has no page in its layout: its row is read with GetHyperCubeData.
        let page = (cube["qDataPages"] as? [[String: Any]])?.first?["qMatrix"] as? [[[String: Any]]] ?? []
        let totals = try #require(cube["qGrandTotalRow"] as? [[String: Any]])
        return (page.first?.map { $0["qText"] as? String ?? "?" } ?? [], totals.map { $0["qText"] as? String ?? "?" })
    }

    @Test("a cube of measures without dimensions answers one row of their values and the same grand total row, under selections")
    func sessionKPI() async throws {
        var app = try await AssociativeFixture.make()
        let kpi = try await app.object(["qInfo": ["qType": "kpi"], "qHyperCubeDef": [
            "qMeasures": [["qDef": ["qDef": "Sum(Amount)"]], ["qDef": ["qDef": "Count(OrderID)"]]],
            "qInitialDataFetch": [["qTop": 0, "qLeft": 0, "qWidth": 2, "qHeight": 1]],
        ]])
        let layout = try #require(try await app.result("GetLayout", handle: kpi)["qLayout"] as? [String: Any])
        let all = try Self.values(layout)
        #expect(all.row == ["112", "5"] && all.totals == ["112", "5"])
        #expect(((layout["qHyperCube"] as? [String: Any])?["qSize"] as? [String: Any])?["qcx"] as? Int == 2)
        try await app.select("Country", ["US"])
        let selected = try #require(try await app.result("GetLayout", handle: kpi)["qLayout"] as? [String: Any])
        let us = try Self.values(selected)
        #expect(us.row == ["35", "2"] && us.totals == ["35", "2"])
    }

    @Test("the default app's KPI charts show their values, and a selection changes them")
    func defaultAppKPIs() async throws {
        var (session, _, _) = try await Doc.session()
        let revenue = try Doc.handle(await EngineConversationTests.call(&session, 2, "GetObject", handle: 1, ["kpi-revenue"]))
        let orders = try Doc.handle(await EngineConversationTests.call(&session, 3, "GetObject", handle: 1, ["kpi-orders"]))
        let allRevenue = try Self.values(try await Doc.layout(&session, revenue)).totals
        let allOrders = try Self.values(try await Doc.layout(&session, orders)).totals
        #expect(allOrders == ["120"])
        let page = try Doc.result(await EngineConversationTests.call(&session, 6, "GetHyperCubeData", handle: orders,
                                                                ["/qHyperCubeDef", [["qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 10]]]))
        let matrix = (page["qDataPages"] as? [[String: Any]])?.first?["qMatrix"] as? [[[String: Any]]]
        #expect(matrix?.map { $0.map { $0["qText"] as? String } } == [["120"]])
        let region = try Doc.handle(await EngineConversationTests.call(&session, 4, "GetField", handle: 1, ["Region"]))
        _ = try Doc.result(await EngineConversationTests.call(&session, 5, "SelectValues", handle: region, [[["qText": "APAC"]]]))
        let apacRevenue = try Self.values(try await Doc.layout(&session, revenue)).totals
        let apacOrders = try Self.values(try await Doc.layout(&session, orders)).totals
        #expect(apacRevenue != allRevenue && !apacRevenue.isEmpty)
        #expect(Int(apacOrders.first ?? "") ?? 120 < 120)
    }
}
