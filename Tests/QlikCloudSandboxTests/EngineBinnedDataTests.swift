import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: binned hypercube data (GetHyperCubeBinnedData)")
struct EngineBinnedDataTests {
    /// Orders as points: x Sum(Amount) (50, 20, 30, 5, 7), y Sum(ProductID) (100, 101, 100, 102, 101).
    static var scatter: [String: Any] { EngineObjectDataTests.cube(["OrderID"], measures: ["Sum(Amount)", "Sum(ProductID)"]) }

    /// The texts of the answer's first page, a row per line (each cell "text" or, for grid cells, "text=count").
    static func read(_ app: inout AssociativeFixture, _ handle: Int, method: Int, level: Int = 0, maxCells: Int = 0,
                     zone: [String: Any] = ["qLeft": 0, "qTop": 102, "qWidth": 60, "qHeight": 2]) async throws -> [[String]] {
        let params: [Any] = ["/qHyperCubeDef", [["qTop": 0, "qLeft": 0, "qWidth": 3, "qHeight": 100]], ["qWidth": 400, "qHeight": 300, "qZoomLevel": 0],
                             [zone], maxCells, level, method]
        let answer = try await app.result("GetHyperCubeBinnedData", handle: handle, params)
        let matrix = try #require(((answer["qDataPages"] as? [[String: Any]])?.first?["qMatrix"]) as? [[[String: Any]]])
        return matrix.map { row in row.map { cell in
            let text = cell["qText"] as? String ?? "?"
            return method == 1 ? text : "\(text)=\((cell["qNum"] as? NSNumber)?.intValue ?? -1)"
        } }
    }

    @Test("qBinningMethod 1 answers an empty first row, then each point in the zone with its dimension and measures")
    func points() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.scatter)
        #expect(try await Self.read(&app, handle, method: 1, zone: ["qLeft": 0, "qTop": 102, "qWidth": 25, "qHeight": 2])
            == [[], ["11", "20", "101"], ["13", "5", "102"], ["14", "7", "101"]])
    }

    @Test("the grid counts the zone's points per cell: a first row with the fullest cell's count, then each non-empty cell's rectangle")
    func grid() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.scatter)
        #expect(try await Self.read(&app, handle, method: 0, level: 1)
            == [["=2"], ["[[0, 102, 30, 101]]=1"], ["[[0, 101, 30, 100]]=2"], ["[[30, 101, 60, 100]]=2"]])
    }

    @Test("qMaxNbrCells coarsens the grid: one cell holds every point")
    func maximumCells() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.scatter)
        #expect(try await Self.read(&app, handle, method: 0, level: 3, maxCells: 3) == [["=5"], ["[[0, 102, 60, 100]]=5"]])
    }

    @Test("binned points follow the selections")
    func selections() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(Self.scatter)
        try await app.select("Country", ["US"])
        #expect(try await Self.read(&app, handle, method: 1) == [[], ["12", "30", "100"], ["13", "5", "102"]])
    }

    @Test("a cube without two measures answers an error that names what binned data needs")
    func wrongShape() async throws {
        var app = try await AssociativeFixture.make()
        let handle = try await app.object(EngineObjectDataTests.cube(["OrderID"], measures: ["Sum(Amount)"]))
        let answer = await app.call("GetHyperCubeBinnedData", handle: handle, ["/qHyperCubeDef", [[String: Any]](), [String: Any](), [[String: Any]](), 0, 0, 1])
        let message = (answer["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("two or three measures"))
    }
}
