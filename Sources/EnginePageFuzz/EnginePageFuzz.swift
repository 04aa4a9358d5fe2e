import Foundation
#if !FUZZING
// The fuzzing build compiles the page parser's sources into this module (scripts/fuzz-engine-pages).
import QlikCloudAPI
#endif

/// One parse of an answer, compared bit for bit: each cell's text bytes,
/// number bits and element number, and the engine error it carried.
struct ParsedAnswer: Equatable {
    struct Cell: Equatable {
        let text: [UInt8]?
        let numberBits: UInt64?
        let element: Int32
    }
    let cells: [Cell]
    let failure: EngineError?
}

/// What the parser made of the bytes: an answer, or the error it threw (its description, offset and all).
enum Outcome: Equatable {
    case accepted(ParsedAnswer)
    case rejected(String)
}

func parse(_ bytes: UnsafeRawBufferPointer) -> Outcome {
    var cells: [EngineCell] = []
    do {
        let failure = try HyperCubePageParserProbe.parse(bytes, into: &cells)
        return .accepted(ParsedAnswer(cells: cells.map(ParsedAnswer.Cell.init), failure: failure))
    } catch {
        return .rejected(String(describing: error))
    }
}

extension ParsedAnswer.Cell {
    init(_ cell: EngineCell) {
        self.init(text: cell.text.map { Array($0.utf8) }, numberBits: cell.number?.bitPattern, element: cell.element)
    }
}

/// An invariant the parser broke: libFuzzer records the input as a crash.
func require(_ condition: Bool, _ what: @autoclosure () -> String) {
    if !condition { fatalError("engine page invariant broken: \(what())") }
}

/// Reads arbitrary bytes as the engine's answer to GetHyperCubeData, as the
/// connection does (the router first, then the page parser), and checks
/// what the parser claims besides not crashing:
/// - the same bytes parse to the same cells and error, bit for bit;
/// - a page read at a width holds rows × width cells, the same cells, and
///   its byte accessors agree with its cells;
/// - on input Foundation's JSONSerialization reads (and whose objects have
///   no repeated or escaped key), the parser accepts exactly the answers the
///   documented page shape allows, with the same cells and error, and a
///   width is accepted exactly when every row has that many cells.
func checkAnswer(_ input: [UInt8]) {
    input.withUnsafeBytes { bytes in
        var routes: [String] = []
        for _ in 0..<2 {
            do {
                let route = try EngineMessageProbe.route(bytes)
                routes.append("id \(route.id.map(String.init) ?? "none") method \(route.method ?? "none")")
            } catch {
                routes.append("refused: \(error)")
            }
        }
        require(routes[0] == routes[1], "routing the same message twice gave \(routes[0]) then \(routes[1])")

        let first = parse(bytes)
        require(first == parse(bytes), "parsing the same bytes twice gave different cells")

        let reference = ReferenceAnswer(input)
        let width = reference?.firstRowWidth ?? 1 + input.count % 3
        let paged: RowPage?
        do {
            paged = try HyperCubePageParserProbe.page(bytes, width: width)
        } catch {
            paged = nil
        }
        if let page = paged {
            check(page, width: width, against: first)
        }

        guard let reference else { return }
        switch (reference.verdict, first) {
        case (.rejected(let reason), .accepted):
            require(false, "the parser accepted an answer the page shape rejects: \(reason)")
        case (.accepted, .rejected(let error)):
            require(false, "the parser refused an answer of the documented shape: \(error)")
        case (.accepted(let rows, let failure), .accepted(let parsed)):
            require(parsed.failure == failure, "the engine error read as \(String(describing: parsed.failure)), JSONSerialization reads \(String(describing: failure))")
            let expected = rows.flatMap { $0 }
            require(parsed.cells.count == expected.count, "\(parsed.cells.count) cells parsed, JSONSerialization reads \(expected.count)")
            for (index, (cell, wanted)) in zip(parsed.cells, expected).enumerated() {
                require(wanted.matches(cell), "cell \(index) parsed as \(cell), JSONSerialization reads \(wanted)")
            }
            let fits = failure == nil && width > 0 && rows.allSatisfy { $0.count == width }
            require((paged != nil) == fits, "a page of width \(width) was \(paged == nil ? "refused" : "accepted") though its rows have \(rows.map(\.count)) cells")
        case (.rejected, .rejected):
            break // check(_:width:against:) already refused any page read from it
        }
    }
}

/// A page read at `width`: its shape, its cells beside the plain parse, its accessors beside each other.
func check(_ page: RowPage, width: Int, against parsed: Outcome) {
    require(page.width == width && page.rowCount * width == page.cellCount,
            "a page of width \(width) claims \(page.rowCount) rows of \(page.width) but holds \(page.cellCount) cells")
    guard case .accepted(let answer) = parsed, answer.failure == nil else {
        return require(false, "a page was read from an answer the plain parse refuses or reads as an engine error")
    }
    require(page.cells.map(ParsedAnswer.Cell.init) == answer.cells, "the page's cells differ from the plain parse's")
    for row in 0..<page.rowCount {
        require(page.row(row) == (0..<width).map { page[row, $0] }, "row \(row) differs from its cells by subscript")
    }
    for index in 0..<page.cellCount {
        let cell = page.cell(at: index)
        let bytes = page.withTextBytes(at: index) { Array($0) }
        require(bytes == Array((cell.text ?? "").utf8), "cell \(index): its text bytes differ from its text")
        require(page.number(at: index)?.bitPattern == cell.number?.bitPattern, "cell \(index): number(at:) differs from its cell")
        require(page.element(at: index) == cell.element, "cell \(index): element(at:) differs from its cell")
    }
}

#if FUZZING
/// libFuzzer's entry point (scripts/fuzz-engine-pages builds it with -sanitize=fuzzer -D FUZZING).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    checkAnswer(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#else
/// Without the fuzzer: replays the files named on the command line (a crash reproducer).
@main
struct EnginePageFuzzReplay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                exit(1)
            }
            checkAnswer(Array(data))
            print("\(path): parsed without a crash, every invariant held")
        }
    }
}
#endif
