import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: continuous hypercube data (GetHyperCubeContinuousData)")
struct EngineContinuousDataTests {
    static func options(start: Double = 0, end: Double = 0, points: Int = 0, ticks: Int = 5, lines: Int = 0) -> [String: Any] {
        ["qStart": start, "qEnd": end, "qNbrPoints": points, "qMaxNbrTicks": ticks, "qMaxNumberLines": lines]
    }

    /// The rows of the answer's page as texts, and the answer's axis ticks' texts.
    static func read(_ app: inout AssociativeFixture, _ handle: Int, _ options: [String: Any], reverse: Bool = false) async throws -> (rows: [[String]], ticks: [String]) {
        let answer = try await app.result("GetHyperCubeContinuousData", handle: handle, ["/qHyperCubeDef", options, reverse])
        let matrix = try #require(((answer["qDataPages"] as? [[String: Any]])?.first?["qMatrix"]) as? [[[String: Any]]])
        let axis = try #require(((answer["qAxisData"] as? [String: Any])?["qAxis"] as? [[String: Any]])?.first)
        let ticks = ((axis["qTicks"] as? [[String: Any]]) ?? []).map { $0["qText"] as? String ?? "?" }
        return (matrix.map { $0.map { $0["qText"] as? String ?? "?" } }, ticks)
    }

    @Test("without binning the points come in axis order with their measures, and the axis has round ticks")
    func points() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(EngineObjectDataTests.cube(["OrderID"], measures: ["Sum(Amount)"]))
        let read = try await Self.read(&app, handle, Self.options())
        #expect(read.rows == [["10", "50"], ["11", "20"], ["12", "30"], ["13", "5"], ["14", "7"]])
        #expect(read.ticks == ["10", "11", "12", "13", "14"])
    }

    @Test("qStart and qEnd keep the points in range; qReverseSort turns the order round")
    func rangeAndReverse() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(EngineObjectDataTests.cube(["OrderID"], measures: ["Sum(Amount)"]))
        #expect(try await Self.read(&app, handle, Self.options(start: 11, end: 13), reverse: true).rows == [["13", "5"], ["12", "30"], ["11", "20"]])
    }

    @Test("more axis values than qNbrPoints are binned: each bin one point at its midpoint, its measures over the bin")
    func binned() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(EngineObjectDataTests.cube(["OrderID"], measures: ["Sum(Amount)"]))
        #expect(try await Self.read(&app, handle, Self.options(points: 2)).rows == [["11", "70"], ["13", "42"]])
    }

    @Test("a second dimension makes the lines, at most qMaxNumberLines; the points follow the selections")
    func linesAndSelections() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(EngineObjectDataTests.cube(["OrderID", "ProductID"], measures: ["Sum(Amount)"]))
        #expect(try await Self.read(&app, handle, Self.options(lines: 1)).rows == [["10", "100", "50"], ["12", "100", "30"]])
        try await app.select("Country", ["US"])
        #expect(try await Self.read(&app, handle, Self.options()).rows == [["12", "100", "30"], ["13", "102", "5"]])
    }

    @Test("a client's extreme numbers (a range narrower than a double's step, Int.max ticks and points) answer without trapping")
    func hostileNumbers() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(EngineObjectDataTests.cube(["OrderID"], measures: ["Sum(Amount)"]))
        let narrow = try await Self.read(&app, handle, Self.options(start: 10, end: 10.000000000000002, points: 1, ticks: Int.max))
        #expect(narrow.rows == [["10", "50"]] && narrow.ticks.count <= 1_000)
        #expect(try await Self.read(&app, handle, Self.options(points: Int.max, ticks: Int.max)).rows.count == 5)
    }

    @Test("a first dimension without numbers answers an error that says a continuous axis needs them")
    func textAxis() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(EngineObjectDataTests.cube(["Country"], measures: ["Sum(Amount)"]))
        let answer = await app.call("GetHyperCubeContinuousData", handle: handle, ["/qHyperCubeDef", Self.options()])
        let message = (answer["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("numeric values"))
    }
}
