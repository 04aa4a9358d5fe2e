import Foundation
import Testing
@testable import QVD

/// Writing rows keyed by the engine's element numbers (the read-to-QVD
/// path) and setting row indices aside on disk.
@Suite("QVD writes keyed by element number")
struct QVDKeyedWriteTests {
    /// Writes `rows` (element, value) row-major through the keyed path, counting the values asked for.
    static func write(_ cells: [(Int32, QlikValue)], width: Int, batch: Int = 3, spillDirectory: String? = nil,
                      chunkCells: Int = 1 << 20) throws -> (bytes: [UInt8], asked: Int) {
        let writer = try QVDWriter(tableName: "T", fields: (0..<width).map { QVDWriter.Field("F\($0)") }, spillDirectory: spillDirectory,
                                   indexChunkCells: chunkCells, symbolMemory: 1 << 20)
        var asked = 0
        var start = 0
        while start < cells.count {
            let part = Array(cells[start..<min(cells.count, start + batch * width)])
            let elements = part.map(\.0)
            try elements.withUnsafeBufferPointer { elements in
                try writer.append(rowCount: part.count / width, elements: elements) { cell in
                    asked += 1
                    return part[cell].1
                }
            }
            start += part.count
        }
        return (try writer.finishInMemory(), asked)
    }

    static func read(_ bytes: [UInt8]) throws -> (QVDHeader, [[QlikValue]]) {
        let reader = try QVDReader(source: QVDMemory(bytes))
        var iterator = try reader.batches(batchSize: 5)
        var rows: [[QlikValue]] = []
        while let batch = try iterator.next() { rows += batch.rows }
        return (reader.header, rows)
    }

    @Test("elements in first-appearance order, shuffled, sparse and missing all store each value once and read back exactly")
    func orders() throws {
        let values: [QlikValue] = [.text("a"), .integer(7), .double(2.5), .dual(3, "three"), .text("Grüße")]
        // Column 0: identity (0, 1, 2, ...); column 1: shuffled; column 2: sparse numbers; column 3: NULLs and unnumbered values.
        let pattern = [0, 1, 0, 2, 3, 1, 4, 4, 2, 0, 3]
        let shuffled: [Int32] = [9, 3, 12, 0, 5]
        let sparse: [Int32] = [5_000_000, 1, 70_000_000, 2, 900_000_000]
        var cells: [(Int32, QlikValue)] = []
        var expected: [[QlikValue]] = []
        for (row, index) in pattern.enumerated() {
            let unnumbered: (Int32, QlikValue) = row % 3 == 0 ? (-2, .null) : (-1, values[(index + 1) % values.count])
            let row: [(Int32, QlikValue)] = [(Int32(index), values[index]), (shuffled[index], values[index]), (sparse[index], values[index]), unnumbered]
            cells += row
            expected.append(row.map(\.1))
        }
        let (bytes, asked) = try Self.write(cells, width: 4)
        let (header, rows) = try Self.read(bytes)
        #expect(rows == expected)
        #expect(header.fields.map(\.numberOfSymbols) == [5, 5, 5, 5])
        #expect(header.fields[3].bias == -2)
        // Numbered values are built once per element; the unnumbered column is asked for every non-NULL cell.
        #expect(asked == 5 * 3 + pattern.indices.filter { $0 % 3 != 0 }.count)
    }

    @Test("a NUL inside a new element's text is refused and the table cannot be finished")
    func nul() throws {
        let writer = try QVDWriter(tableName: "T", fieldNames: ["F"])
        let elements: [Int32] = [0, 1]
        let values: [QlikValue] = [.text("fine"), .text("bad\u{0}text")]
        let error = #expect(throws: QVDError.self) {
            try elements.withUnsafeBufferPointer { try writer.append(rowCount: 2, elements: $0) { values[$0] } }
        }
        #expect(error?.message.contains("row 1") == true)
        #expect(throws: QVDError.self) { try writer.finishInMemory() }
    }

    @Test("rows past the in-memory chunk go to an unlinked file and come back in order; nothing stays in the folder")
    func spill() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Chunks of 3,000 cells (the real writer's are 1M): 120,000 cells make 40 of them.
        let width = 3, rows = 40_000
        var cells: [(Int32, QlikValue)] = []
        cells.reserveCapacity(rows * width)
        for row in 0..<rows {
            cells.append((Int32(row), .integer(Int64(row))))
            cells.append((Int32(row % 7), .text("code \(row % 7)")))
            cells.append(row % 5 == 0 ? (-2, .null) : (Int32(row % 1000), .double(Double(row % 1000) / 4)))
        }
        let (bytes, _) = try Self.write(cells, width: width, batch: 1_000, spillDirectory: folder, chunkCells: 3_000)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        let (header, read) = try Self.read(bytes)
        #expect(header.numberOfRecords == rows)
        #expect(header.fields.map(\.numberOfSymbols) == [rows, 7, 800])
        for row in [0, 1, 5, 999, 1_000, 1_001, 20_000, rows - 1] {
            #expect(read[row] == [cells[row * width].1, cells[row * width + 1].1, cells[row * width + 2].1])
        }
        #expect(read.count == rows)
    }

    @Test("distinct values numbered by the engine leave memory past the threshold; texts found by hash stay; both read back whole")
    func symbolsAside() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("symbols-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let rows = 30_000
        let writer = try QVDWriter(tableName: "T", fields: [QVDWriter.Field("Amount"), QVDWriter.Field("Note")], spillDirectory: folder,
                                   indexChunkCells: 1 << 20, symbolMemory: 64 << 10)
        for start in stride(from: 0, to: rows, by: 10_000) {
            // Amount: a distinct double per row, numbered; Note: unnumbered texts (the dictionary path), 300,000 distinct.
            let elements: [Int32] = (start..<(start + 10_000)).flatMap { [Int32($0), Int32(-1)] }
            try elements.withUnsafeBufferPointer { elements in
                try writer.append(rowCount: 10_000, elements: elements) { cell in
                    let row = start + cell / 2
                    return cell % 2 == 0 ? .double(Double(row) + 0.25) : .text("note \(row)")
                }
            }
        }
        // 270 KB of Amount symbols: at most 64 KiB of them left in memory; the Note texts all stay.
        let notes = (0..<rows).reduce(0) { $0 + "note \($1)".utf8.count + 2 }
        #expect(writer.symbolBytesInMemory < (64 << 10) + notes)
        #expect(writer.symbolBytesInMemory >= notes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        let (header, read) = try Self.read(try writer.finishInMemory())
        #expect(header.fields.map(\.numberOfSymbols) == [rows, rows])
        for row in [0, 1, 7_281, 20_000, rows - 1] {
            #expect(read[row] == [.double(Double(row) + 0.25), .text("note \(row)")])
        }
    }

    @Test("the spill hands back whole rows in order across chunk boundaries")
    func spillChunks() throws {
        let spill = IndexSpill(width: 3, directory: nil, chunkCells: 10)
        let cells = (0..<99).map { Int32($0) }
        for start in stride(from: 0, to: 99, by: 6) {
            try Array(cells[start..<min(99, start + 6)]).withUnsafeBufferPointer { try spill.append($0) }
        }
        #expect(spill.rows == 33)
        var back: [Int32] = []
        try spill.forEachChunk { chunk in
            #expect(chunk.count % 3 == 0)
            back += chunk
        }
        #expect(back == cells)
    }
}
