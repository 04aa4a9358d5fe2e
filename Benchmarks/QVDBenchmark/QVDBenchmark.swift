import Foundation
import QVD

/// `qvd-benchmark write FILE ROWS` and `qvd-benchmark read FILE [--values]`:
/// times this project's QVD writer and reader on the issue's 8-column table
/// and prints {"rows", "seconds", "peak_rss_mib"} as one JSON line.
/// scripts/bench-qvd runs it beside qvdrs and pyqvd and prints the table.
@main
struct QVDBenchmark {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch (arguments.first, arguments.count) {
        case ("write", 3):
            guard let rows = Int(arguments[2]) else { return usage() }
            try write(path: arguments[1], rows: rows)
        case ("read", 2), ("read", 3):
            try read(path: arguments[1], materialize: arguments.count == 3 && arguments[2] == "--values")
        default:
            usage()
        }
    }

    static func usage() {
        FileHandle.standardError.write(Data("usage: qvd-benchmark write FILE ROWS | read FILE [--values]\n".utf8))
        exit(2)
    }

    static func report(rows: Int, seconds: Double) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peak = Double(usage.ru_maxrss) / 1024 // kilobytes on Linux
        print("{\"rows\": \(rows), \"seconds\": \(String(format: "%.3f", seconds)), \"peak_rss_mib\": \(String(format: "%.1f", peak))}")
    }

    /// The issue's table: unique int id; int with 50 values; double with ~1e6
    /// values; short string with 1,000 values; 60-character string with
    /// 100,000 values; date with 3,650 values; a double and a string column
    /// with 5% NULLs. Generated a batch at a time; only the writer is timed.
    static func write(path: String, rows: Int) throws {
        let shortStrings = (0..<1_000).map { QlikValue.text("s\($0)") }
        let longStrings = (0..<100_000).map { index -> QlikValue in
            let stem = "row-value-\(index)-"
            return .text(stem + String(repeating: "x", count: 60 - stem.count))
        }
        let dates = (0..<3_650).map { day -> QlikValue in
            let (year, month, dayOfMonth) = civil(daysSince1970: 16_436 + day) // from 2015-01-01
            return QlikValue.date(year: year, month: month, day: dayOfMonth) ?? .null
        }
        let writer = try QVDWriter(tableName: "Benchmark", fields: [
            .init("id"), .init("int50"), .init("double1m"), .init("str1k"), .init("str60_100k"),
            .init("date3650", numberFormat: .date), .init("double_nulls"), .init("str_nulls"),
        ])
        var random = SplitMix(seed: 20_240_601)
        let batch = 100_000
        var timed: Double = 0
        var start = 0
        while start < rows {
            let count = min(batch, rows - start)
            var columns = Array(repeating: [QlikValue](), count: 8)
            for index in columns.indices { columns[index].reserveCapacity(count) }
            for row in start..<(start + count) {
                let r = random.next()
                columns[0].append(.integer(Int64(row)))
                columns[1].append(.integer(Int64(r % 50)))
                columns[2].append(.double(Double((r >> 8) % 1_000_000) + 0.5))
                columns[3].append(shortStrings[Int((r >> 28) % 1_000)])
                columns[4].append(longStrings[Int((r >> 38) % 100_000)])
                columns[5].append(dates[Int((r >> 12) % 3_650)])
                columns[6].append((r >> 50) % 20 == 0 ? .null : .double(Double((r >> 20) % 10_000) / 4))
                columns[7].append((r >> 56) % 20 == 0 ? .null : shortStrings[Int((r >> 30) % 1_000)])
            }
            let clock = ContinuousClock.now
            try writer.append(columns: columns)
            timed += seconds(since: clock)
            start += count
        }
        let clock = ContinuousClock.now
        try writer.finish(to: path)
        timed += seconds(since: clock)
        report(rows: rows, seconds: timed)
    }

    /// Reads every field of every row. Without --values each cell is decoded
    /// to its symbol index (as a dictionary-encoded column); with --values
    /// each cell also becomes a QlikValue.
    static func read(path: String, materialize: Bool) throws {
        let clock = ContinuousClock.now
        let reader = try QVDReader(path: path)
        var iterator = try reader.batches()
        var rows = 0
        var checksum = 0
        while let batch = try iterator.next() {
            for column in 0..<batch.fields.count {
                if materialize {
                    for value in batch.values(column: column) where !value.isNull { checksum &+= 1 }
                } else {
                    for row in 0..<batch.rowCount { checksum &+= batch.symbolIndex(row: row, column: column) ?? 0 }
                }
            }
            rows += batch.rowCount
        }
        let elapsed = seconds(since: clock)
        if checksum == Int.min { print("") } // keeps the loop's work observable
        report(rows: rows, seconds: elapsed)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func civil(daysSince1970 days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

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
