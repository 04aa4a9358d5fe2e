import Foundation
import Testing
@testable import QVD

/// A small valid file, and ways to damage it.
struct Specimen {
    let bytes: [UInt8]
    let headerEnd: Int // index of the NUL that ends the header

    init() throws {
        let writer = try QVDWriter(tableName: "T", fieldNames: ["Id", "Name", "Amount"])
        try writer.append(rows: (0..<50).map { row -> [QlikValue] in
            [.integer(Int64(row)), row % 5 == 0 ? .null : .text("name \(row % 9) é"), .dual(Double(row) / 2, "\(row)/2")]
        })
        bytes = try writer.finishInMemory()
        headerEnd = try #require(bytes.firstIndex(of: 0))
    }

    var header: String { String(decoding: bytes[..<headerEnd], as: UTF8.self) }
    var body: [UInt8] { Array(bytes[(headerEnd + 1)...]) }

    /// The file with its header text edited (the body unchanged).
    func editingHeader(_ edit: (String) -> String) -> [UInt8] {
        Array(edit(header).utf8) + [0] + body
    }

    static func readAll(_ bytes: [UInt8]) throws -> Int {
        let reader = try QVDReader(source: QVDMemory(bytes))
        var iterator = try reader.batches(batchSize: 7)
        var rows = 0
        while let batch = try iterator.next() {
            rows += batch.rowCount
            _ = batch.rows
        }
        return rows
    }
}

@Suite("QVD reader on hostile input")
struct QVDHostileInputTests {
    @Test("the specimen itself reads")
    func specimen() throws {
        #expect(try Specimen.readAll(Specimen().bytes) == 50)
    }

    @Test("a file cut at any byte gives a typed error, never a crash")
    func truncatedEverywhere() throws {
        let specimen = try Specimen()
        for length in 0..<specimen.bytes.count {
            #expect(throws: QVDError.self, "cut at \(length)") { try Specimen.readAll(Array(specimen.bytes.prefix(length))) }
        }
    }

    @Test("a header without \\r\\n\\0 is refused, naming the offset")
    func unterminatedHeader() throws {
        let specimen = try Specimen()
        let withoutNul = Array(specimen.bytes[..<specimen.headerEnd]) + Array("garbage".utf8) + specimen.body
        let error = #expect(throws: QVDError.self) { try Specimen.readAll(withoutNul) }
        #expect(error?.kind == .headerNotTerminated)
        #expect(error?.offset != nil)
    }

    @Test("offsets and lengths past the end are refused before anything is allocated for them", arguments: [
        ("Offset", false), ("Length", false), ("Offset", true), ("Length", true), ("NoOfRecords", true), ("NoOfSymbols", false),
    ])
    func pastTheEnd(_ element: String, _ last: Bool) throws {
        let specimen = try Specimen()
        let damaged = specimen.editingHeader { header in
            let open = "<\(element)>", close = "</\(element)>"
            guard let start = last ? header.range(of: open, options: .backwards) : header.range(of: open),
                  let end = header.range(of: close, range: start.upperBound..<header.endIndex) else { return header }
            return header.replacingCharacters(in: start.upperBound..<end.lowerBound, with: "9999999999999")
        }
        #expect(damaged != specimen.bytes)
        #expect(throws: QVDError.self) { try Specimen.readAll(damaged) }
    }

    @Test("the index table's Length must match its records")
    func indexLengthMismatch() throws {
        let specimen = try Specimen()
        let damaged = specimen.editingHeader { header in
            let length = header.range(of: "<Length>", options: .backwards).map { header[$0.upperBound...].prefix { $0.isNumber } } ?? ""
            return header.replacingOccurrences(of: "<Length>\(length)</Length>\r\n  <Lineage>", with: "<Length>\(Int(length)! + 1)</Length>\r\n  <Lineage>")
        }
        let error = #expect(throws: QVDError.self) { try Specimen.readAll(damaged) }
        #expect(error?.kind == .malformedHeader)
    }

    @Test("BitWidth over 64 is refused", arguments: [65, 1000])
    func bitWidth(_ width: Int) throws {
        let specimen = try Specimen()
        let damaged = specimen.editingHeader { $0.replacingOccurrences(of: "<BitWidth>6</BitWidth>", with: "<BitWidth>\(width)</BitWidth>") }
        #expect(damaged != specimen.bytes)
        let error = #expect(throws: QVDError.self) { try Specimen.readAll(damaged) }
        #expect(error?.kind == .unsupported || error?.kind == .malformedHeader)
    }

    @Test("symbol counts that lie are caught", arguments: ["<NoOfSymbols>49</NoOfSymbols>", "<NoOfSymbols>51</NoOfSymbols>", "<NoOfSymbols>2147483647</NoOfSymbols>"])
    func lyingSymbolCount(_ replacement: String) throws {
        let specimen = try Specimen()
        let damaged = specimen.editingHeader { $0.replacingOccurrences(of: "<NoOfSymbols>50</NoOfSymbols>", with: replacement) }
        #expect(damaged != specimen.bytes)
        let error = #expect(throws: QVDError.self) { try Specimen.readAll(damaged) }
        #expect(error?.kind == .symbolCountMismatch || error?.kind == .indexOutOfRange)
        #expect(error?.offset != nil)
    }

    @Test("invalid UTF-8 in a text symbol is refused at its offset")
    func invalidUTF8() throws {
        let specimen = try Specimen()
        var bytes = specimen.bytes
        let marker = Array("name 0 é".utf8)
        let at = try #require((0..<(bytes.count - marker.count)).first { bytes[$0..<$0 + marker.count].elementsEqual(marker) })
        bytes[at + marker.count - 2] = 0xFF
        let error = #expect(throws: QVDError.self) { try Specimen.readAll(bytes) }
        #expect(error?.kind == .invalidUTF8)
        #expect(error?.offset.map { $0 <= UInt64(at + marker.count) } == true)
    }

    @Test("an unknown symbol type byte is refused")
    func unknownSymbolType() throws {
        let specimen = try Specimen()
        var bytes = specimen.bytes
        bytes[specimen.headerEnd + 1] = 9
        let error = #expect(throws: QVDError.self) { try Specimen.readAll(bytes) }
        #expect(error?.kind == .invalidSymbol)
        #expect(error?.offset == UInt64(specimen.headerEnd + 1))
    }

    @Test("malformed header XML is refused", arguments: [
        "not xml at all", "<QvdTableHeader>", "<Other></Other>", "<QvdTableHeader><Fields></Fields></QvdTableHeader>",
        "<QvdTableHeader><Fields><QvdFieldHeader></QvdFieldHeader></Fields><RecordByteSize>0</RecordByteSize><NoOfRecords>0</NoOfRecords><Offset>0</Offset><Length>0</Length></QvdTableHeader>",
        "<QvdTableHeader><RecordByteSize>x</RecordByteSize></QvdTableHeader>",
        "<QvdTableHeader><A></B></QvdTableHeader>", "<QvdTableHeader>&bogus;</QvdTableHeader>",
        String(repeating: "<a>", count: 500) + "</QvdTableHeader>",
    ])
    func malformedXML(_ xml: String) {
        #expect(throws: QVDError.self) { try Specimen.readAll(Array(xml.utf8) + [0x0D, 0x0A, 0]) }
    }

    @Test("random damage gives a typed error or a clean read, never a crash")
    func randomDamage() throws {
        let specimen = try Specimen()
        var generator = SplitMix(seed: 0x5EED)
        for _ in 0..<3000 {
            var bytes = specimen.bytes
            for _ in 0..<Int(generator.next() % 4 + 1) {
                let at = Int(generator.next() % UInt64(bytes.count))
                bytes[at] = UInt8(truncatingIfNeeded: generator.next())
            }
            do { _ = try Specimen.readAll(bytes) } catch is QVDError {}
        }
    }

    @Test("a qvdrs-style NULL (index == NoOfSymbols, Bias 0) reads as NULL")
    func qvdrsNullConvention() throws {
        // One field, two symbols (1, 2), BitWidth 2, Bias 0; records 0, 1, 2 where 2 == NoOfSymbols means NULL.
        let symbols: [UInt8] = [1, 1, 0, 0, 0, 1, 2, 0, 0, 0]
        let header = QVDHeader(tableName: "T", fields: [QVDFieldHeader(name: "A", bitOffset: 0, bitWidth: 2, bias: 0, numberOfSymbols: 2,
                                                                       offset: 0, length: 10)],
                               recordByteSize: 1, numberOfRecords: 3, indexOffset: 10, indexLength: 3)
        let bytes = Array(QVDHeaderWriter.xml(header).utf8) + [0x0D, 0x0A, 0] + symbols + [0, 1, 2]
        var iterator = try QVDReader(source: QVDMemory(bytes)).batches()
        #expect(try iterator.next()?.rows == [[.integer(1)], [.integer(2)], [.null]])
        // Index 3 is past the symbols either way.
        let bad = Array(QVDHeaderWriter.xml(header).utf8) + [0x0D, 0x0A, 0] + symbols + [0, 1, 3]
        let error = #expect(throws: QVDError.self) { try Specimen.readAll(bad) }
        #expect(error?.kind == .indexOutOfRange)
    }
}

/// A small deterministic generator, so failures reproduce.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
