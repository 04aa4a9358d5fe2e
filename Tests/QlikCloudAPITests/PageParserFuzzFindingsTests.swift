import Foundation
import QlikCloudAPI
import Testing

/// What scripts/fuzz-engine-pages found in the page parser; each test replays
/// the fuzzer's input (Tests/Fixtures/engine-pages/found) and a small one.
@Suite("The engine page parser on what the fuzzer found")
struct PageParserFuzzFindingsTests {
    static func found(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/engine-pages/found/\(name)")
        return Array(try Data(contentsOf: url))
    }

    static func cells(_ json: String) throws -> [EngineCell] {
        var cells: [EngineCell] = []
        let failure = try Array(json.utf8).withUnsafeBytes { try HyperCubePageParserProbe.parse($0, into: &cells) }
        #expect(failure == nil)
        return cells
    }

    static func answer(_ cells: String) -> String { #"{"result":{"qDataPages":[{"qMatrix":[[\#(cells)]]}]}}"# }

    @Test("a row with more or fewer cells than the asked width is refused, not shifted into the next row's columns")
    func raggedRow() throws {
        let bytes = try Self.found("ragged-row.json")
        #expect(throws: EngineError.self) { try bytes.withUnsafeBytes { try HyperCubePageParserProbe.page($0, width: 4) } }
        let ragged = #"{"result":{"qDataPages":[{"qMatrix":[[{"qText":"a"},{"qText":"b"}],[{"qText":"c"}],[{"qText":"d"},{"qText":"e"}]]}]}}"#
        do {
            _ = try Array(ragged.utf8).withUnsafeBytes { try HyperCubePageParserProbe.page($0, width: 2) }
            Issue.record("a page with a row of 1 cell among rows of 2 was accepted")
        } catch let error as EngineError {
            #expect(error.description.contains("a row of 1 cells"), "the message names the row: \(error)")
        }
        let even = #"{"result":{"qDataPages":[{"qMatrix":[[{"qText":"a"},{"qText":"b"}],[{"qText":"c"},{"qText":"d"}]]}]}}"#
        let page = try Array(even.utf8).withUnsafeBytes { try HyperCubePageParserProbe.page($0, width: 2) }
        #expect(page.rowCount == 2 && page[1, 0].text == "c")
    }

    @Test("cell keys are compared whole: qEmemNumber is not an element number, qTexx not a text")
    func wholeKeys() throws {
        let bytes = try Self.found("key-like-qElemNumber.json")
        var cells: [EngineCell] = []
        _ = try bytes.withUnsafeBytes { try HyperCubePageParserProbe.parse($0, into: &cells) }
        #expect(cells.first { $0.text == "Estonia" }?.element == -1, "the fuzzer's cell spells its key qEmemNumber")
        let odd = try Self.cells(Self.answer(#"{"qText":"a","qNum":1,"qEmemNumber":5,"qState":"O"},{"qTexx":"b","qNum":2}"#))
        #expect(odd.map(\.element) == [-1, -1] && odd.map(\.text) == ["a", nil] && odd.map(\.number) == [1, 2])
    }

    @Test("an element number with a fraction or an exponent reads the same in the engine's key order as in any other")
    func elementNumbers() throws {
        let bytes = try Self.found("element-number-with-exponent.json")
        var cells: [EngineCell] = []
        _ = try bytes.withUnsafeBytes { try HyperCubePageParserProbe.parse($0, into: &cells) }
        #expect(cells.first { $0.text == "1.50" }?.element == 21_500, "the fuzzer's cell has qElemNumber 21.5E+3")
        let engineOrder = try Self.cells(Self.answer(
            #"{"qText":"-","qNum":"NaN","qElemNumber":-2.0,"qState":"O"},{"qText":"x","qNum":"NaN","qElemNumber":3.0,"qState":"O"}"#))
        let otherOrder = try Self.cells(Self.answer(#"{"qElemNumber":-2.0,"qText":"-","qNum":"NaN"},{"qElemNumber":3.0,"qText":"x","qNum":"NaN"}"#))
        #expect(engineOrder == [.null, EngineCell(text: "x", number: nil)] && engineOrder == otherOrder, "-2.0 is NULL in both orders")
        #expect(engineOrder.map(\.element) == [-2, 3] && otherOrder.map(\.element) == [-2, 3])
    }

    @Test("qState is skipped whatever its type in the engine's key order, as in any other")
    func stateOfAnyType() throws {
        let cells = try Self.cells(Self.answer(#"{"qText":"a","qNum":1,"qElemNumber":3,"qState":7}"#))
        #expect(cells == [EngineCell(text: "a", number: 1)] && cells.map(\.element) == [3])
    }
}
