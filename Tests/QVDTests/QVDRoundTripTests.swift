import Foundation
import Testing
@testable import QVD

/// Writes a table and reads it back.
func roundTrip(_ rows: [[QlikValue]], fields: [String], batchSize: Int = 7) throws -> (QVDHeader, [[QlikValue]]) {
    let writer = try QVDWriter(tableName: "T", fieldNames: fields)
    try writer.append(rows: rows)
    let reader = try QVDReader(source: QVDMemory(try writer.finishInMemory()))
    var iterator = try reader.batches(batchSize: batchSize)
    var read: [[QlikValue]] = []
    while let batch = try iterator.next() { read += batch.rows }
    return (reader.header, read)
}

@Suite("QVD round trips")
struct QVDRoundTripTests {
    static let everyKind: [QlikValue] = [
        .integer(0), .integer(-1), .integer(Int64(Int32.max)), .integer(Int64(Int32.min)),
        .integer(Int64(Int32.max) + 1), .integer(1 << 53), .integer(Int64.max), .integer(Int64.min),
        .double(0.5), .double(-1e300), .double(.infinity), .double(-.infinity), .double(-0.0), .double(.leastNonzeroMagnitude),
        .text(""), .text("plain"), .text("Grüße, 世界 🌍"), .text(String(repeating: "long ", count: 20_000)),
        .dual(3, "three"), .dual(2.75, "2,75 €"), .dual(-7, "-7"),
        .date(year: 2024, month: 2, day: 29)!, .timestamp(year: 1999, month: 12, day: 31, hour: 23, minute: 59, second: 58)!,
        .null,
    ]

    @Test("every value kind survives, in one mixed field and as its own field")
    func everyKind() throws {
        let (_, mixed) = try roundTrip(Self.everyKind.map { [$0] }, fields: ["V"])
        #expect(mixed.count == Self.everyKind.count)
        for (written, read) in zip(Self.everyKind, mixed.map { $0[0] }) {
            #expect(equivalent(written, read), "\(written) came back as \(read)")
        }
    }

    @Test("NULLs in every position of every field", arguments: [1, 2, 3, 8, 33])
    func nullsEverywhere(_ rows: Int) throws {
        for nullRow in 0..<rows {
            for nullField in 0..<3 {
                let table = (0..<rows).map { row in
                    (0..<3).map { field -> QlikValue in
                        row == nullRow && field == nullField ? .null : .integer(Int64(row * 10 + field))
                    }
                }
                let (header, read) = try roundTrip(table, fields: ["A", "B", "C"])
                #expect(read == table)
                #expect(header.fields[nullField].bias == -2)
            }
        }
    }

    @Test("symbol counts around every bit-width boundary, with and without NULLs", arguments: [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 255, 256, 257, 1023, 1024, 1025, 65_535, 65_536, 65_537])
    func bitWidthBoundaries(_ distinct: Int) throws {
        for withNull in [false, true] {
            var column: [QlikValue] = (0..<distinct).map { .integer(Int64($0) * 3) }
            if withNull { column.insert(.null, at: column.count / 2) }
            if column.isEmpty { continue }
            let (header, read) = try roundTrip(column.map { [$0] }, fields: ["N"], batchSize: 4096)
            #expect(read.map { $0[0] } == column)
            let field = header.fields[0]
            #expect(field.numberOfSymbols == distinct)
            let largest = withNull ? distinct + 1 : max(distinct - 1, 0)
            #expect(field.bitWidth == (largest == 0 ? 0 : Int.bitWidth - largest.leadingZeroBitCount), "\(distinct) symbols, null \(withNull)")
            #expect(field.bias == (withNull ? -2 : 0))
        }
    }

    @Test("integer keys close together, then far apart, keep one symbol per value", arguments: [
        [5, 6, 5, 1_000_000_000, 6, -7, 5, 1_000_000_000],
        Array(0..<70_000) + [Int(Int32.max), 3, Int(Int32.min), 69_999],
        [-2_000_000_000, -1_999_999_999, 0, -2_000_000_000],
    ])
    func integerKeys(_ values: [Int]) throws {
        let column = values.map { QlikValue.integer(Int64($0)) }
        let (header, read) = try roundTrip(column.map { [$0] }, fields: ["K"], batchSize: 1000)
        #expect(read.map { $0[0] } == column)
        #expect(header.fields[0].numberOfSymbols == Set(values).count)
    }

    @Test("an empty table and a one-row table")
    func tinyTables() throws {
        let (emptyHeader, empty) = try roundTrip([], fields: ["A", "B"])
        #expect(empty.isEmpty && emptyHeader.numberOfRecords == 0 && emptyHeader.indexLength == 0)
        let (_, one) = try roundTrip([[.text("x"), .integer(1)]], fields: ["A", "B"])
        #expect(one == [[.text("x"), .integer(1)]])
    }

    @Test("many fields spanning a wide record, every field a different width")
    func wideRecord() throws {
        let fieldCount = 40
        let rows = 300
        let table = (0..<rows).map { row in (0..<fieldCount).map { field in QlikValue.integer(Int64(row % (field * 7 + 1))) } }
        let (header, read) = try roundTrip(table, fields: (0..<fieldCount).map { "F\($0)" }, batchSize: 64)
        #expect(read == table)
        #expect(header.recordByteSize > 8)
    }

    @Test("projection reads only the chosen fields, in the order asked")
    func projection() throws {
        let writer = try QVDWriter(tableName: "T", fieldNames: ["A", "B", "C"])
        try writer.append(rows: (0..<100).map { [.integer(Int64($0)), .text("b\($0 % 7)"), .double(Double($0) / 4)] })
        let reader = try QVDReader(source: QVDMemory(try writer.finishInMemory()))
        var iterator = try reader.batches(fields: ["C", "A"], batchSize: 30)
        var rows: [[QlikValue]] = []
        while let batch = try iterator.next() {
            #expect(batch.fields == ["C", "A"])
            rows += batch.rows
        }
        #expect(rows == (0..<100).map { [.double(Double($0) / 4), .integer(Int64($0))] })
        #expect(throws: QVDError.self) { try reader.batches(fields: ["Z"]) }
    }

    @Test("streams as an AsyncSequence")
    func asyncBatches() async throws {
        let writer = try QVDWriter(tableName: "T", fieldNames: ["A"])
        try writer.append(rows: (0..<1000).map { [.integer(Int64($0))] })
        let reader = try QVDReader(source: QVDMemory(try writer.finishInMemory()))
        var total = 0
        for try await batch in try reader.asyncBatches(batchSize: 128) { total += batch.rowCount }
        #expect(total == 1000)
    }

    @Test("writes dates and timestamps as Qlik does: duals with DATE/TIMESTAMP formats and tags")
    func datesAndTags() throws {
        let writer = try QVDWriter(tableName: "Dates", fields: [
            .init("Day", numberFormat: .date), .init("At", numberFormat: .timestamp), .init("Name"), .init("Amount"),
        ])
        try writer.append(row: [.date(year: 2021, month: 8, day: 20)!, .timestamp(year: 2021, month: 8, day: 20, hour: 12, minute: 0, second: 0)!,
                                .text("Zoë"), .double(1.5)])
        let bytes = try writer.finishInMemory()
        let reader = try QVDReader(source: QVDMemory(bytes))
        let day = reader.header.fields[0]
        #expect(day.numberFormat.type == "DATE")
        #expect(day.tags == ["$numeric", "$integer", "$timestamp", "$date"])
        #expect(reader.header.fields[1].tags == ["$numeric", "$timestamp"])
        #expect(reader.header.fields[2].tags == ["$text"])
        #expect(reader.header.fields[3].tags == ["$numeric"])
        var iterator = try reader.batches()
        let row = try #require(try iterator.next()).row(0)
        // 2021-08-20 is Qlik day 44428, as the pyqvd fixtures record.
        #expect(row[0] == .dual(44428, "2021-08-20"))
        #expect(row[1] == .dual(44428.5, "2021-08-20 12:00:00"))
        for element in ["QvBuildNo", "CreatorDoc", "CreateUtcTime", "SourceFileSize", "Compression", "Lineage", "TableTags"] {
            #expect(String(decoding: bytes.prefix(4000), as: UTF8.self).contains("<\(element)>"), "\(element)")
        }
    }

    @Test("refuses what QVD cannot hold, before anything is written")
    func invalidInput() throws {
        let writer = try QVDWriter(tableName: "T", fieldNames: ["A"])
        #expect(throws: QVDError.self) { try writer.append(row: [.text("a\u{0}b")]) }
        #expect(throws: QVDError.self) { try writer.append(row: [.integer(1), .integer(2)]) }
        #expect(throws: QVDError.self) { try QVDWriter(tableName: "T", fieldNames: ["A", "A"]) }
        #expect(throws: QVDError.self) { try QVDWriter(tableName: "T", fieldNames: []) }
    }

    @Test("a failed file write leaves no file under the final name")
    func atomicFile() throws {
        let directory = NSTemporaryDirectory() + "qvd-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/t.qvd"
        let writer = try QVDWriter(tableName: "T", fieldNames: ["A"])
        try writer.append(row: [.integer(1)])
        try writer.finish(to: path)
        let first = try Data(contentsOf: URL(fileURLWithPath: path))
        // A second writer aimed at a folder that does not exist fails and leaves the first file alone.
        let failing = try QVDWriter(tableName: "T", fieldNames: ["A"])
        try failing.append(row: [.integer(2)])
        #expect(throws: QVDError.self) { try failing.finish(to: directory + "/missing/t.qvd") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == first)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["t.qvd"])
        // Replacing an existing file works and leaves no temporary behind.
        let replacing = try QVDWriter(tableName: "T", fieldNames: ["A"])
        try replacing.append(row: [.integer(3)])
        try replacing.finish(to: path)
        var iterator = try QVDReader(path: path).batches()
        #expect(try iterator.next()?.row(0) == [.integer(3)])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["t.qvd"])
    }
}

/// Equal as Qlik sees them: integers too large for int32 come back as
/// doubles or duals carrying the same number (and, when beyond 2^53, the exact digits).
func equivalent(_ written: QlikValue, _ read: QlikValue) -> Bool {
    if written == read { return true }
    switch (written, read) {
    case (.integer(let value), .double(let number)): return Double(value) == number
    case (.integer(let value), .dual(let number, let text)): return Double(value) == number && text == String(value)
    case (.double(let a), .double(let b)): return a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
    default: return false
    }
}

@Suite("QVD batches")
struct QVDBatchTests {
    @Test("a column read whole equals the column read cell by cell, for every storage kind")
    func columnValues() throws {
        let writer = try QVDWriter(tableName: "T", fieldNames: ["I", "D", "S", "M"])
        let mixed: [QlikValue] = [.integer(1), .text("x"), .dual(2, "two"), .null]
        var rows: [[QlikValue]] = []
        for row in 0..<500 {
            let integer: QlikValue = row % 7 == 0 ? .null : .integer(Int64(row % 11))
            let text: QlikValue = row % 5 == 0 ? .null : .text("t\(row % 13)")
            rows.append([integer, .double(Double(row) / 3), text, mixed[row % 4]])
        }
        try writer.append(rows: rows)
        var iterator = try QVDReader(source: QVDMemory(try writer.finishInMemory())).batches(batchSize: 64)
        while let batch = try iterator.next() {
            for column in 0..<4 {
                #expect(batch.values(column: column) == (0..<batch.rowCount).map { batch[$0, column] })
            }
        }
    }
}
