import ArgumentParser
import Foundation
import QVD

struct QVDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qvd",
        abstract: "Inspect QVD files and convert them to and from CSV.",
        subcommands: [Inspect.self, ToCSV.self, FromCSV.self]
    )

    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a QVD's header: table, fields, types, symbol counts, row count.")
        @Argument(help: "The QVD file.") var file: String
        @Flag(help: "Print JSON.") var json = false

        struct FieldView: Encodable {
            let name: String
            let symbols: Int
            let symbolTypes: String
            let bitOffset: Int
            let bitWidth: Int
            let bias: Int
            let numberFormat: String
            let tags: [String]
        }

        struct View: Encodable {
            let table: String
            let rows: Int
            let recordByteSize: Int
            let qvBuildNo: String?
            let creatorDoc: String?
            let createUtcTime: String?
            let fields: [FieldView]
            let lineage: [String]
        }

        func run() async throws {
            let reader = try QVDReader(path: file)
            let header = reader.header
            let fields = try header.fields.map { field in
                FieldView(name: field.name, symbols: field.numberOfSymbols, symbolTypes: try reader.symbols(of: field.name).kindSummary,
                          bitOffset: field.bitOffset, bitWidth: field.bitWidth, bias: field.bias,
                          numberFormat: field.numberFormat.type + (field.numberFormat.format.isEmpty ? "" : " \(field.numberFormat.format)"),
                          tags: field.tags)
            }
            let view = View(table: header.tableName, rows: header.numberOfRecords, recordByteSize: header.recordByteSize,
                            qvBuildNo: header.qvBuildNo, creatorDoc: header.creatorDoc, createUtcTime: header.createUtcTime,
                            fields: fields, lineage: header.lineage.map(\.discriminator))
            if json { return try Output.json(view) }
            Output.fields([
                ("Table", view.table), ("Rows", String(view.rows)), ("Record size", "\(view.recordByteSize) bytes"),
                ("Created", [view.createUtcTime, view.creatorDoc.map { "by \($0)" }].compactMap { $0 }.joined(separator: " ")),
            ])
            Terminal.current.line("")
            Output.table(["FIELD", "SYMBOLS", "TYPES", "BITS", "BIAS", "FORMAT", "TAGS"], fields.map {
                [$0.name, String($0.symbols), $0.symbolTypes, "\($0.bitWidth)@\($0.bitOffset)", String($0.bias), $0.numberFormat,
                 $0.tags.joined(separator: " ")]
            })
        }
    }

    struct ToCSV: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "to-csv", abstract: "Write a QVD's rows as CSV (NULL as an empty field).")
        @Argument(help: "The QVD file.") var file: String
        @Option(name: .shortAndLong, help: "Output CSV file (default: standard output).") var output: String?
        @Option(help: "Only these fields, comma-separated, in this order.") var fields: String?

        func run() async throws {
            let chosen = fields.map { $0.split(separator: ",").map(String.init) }
            guard let output else {
                try CSVConversion.qvdToCSV(input: file, to: FileHandle.standardOutput, fields: chosen)
                return
            }
            let summary = try AtomicFile.write(to: output) { handle in
                try CSVConversion.qvdToCSV(input: file, to: handle, fields: chosen)
            }
            Terminal.current.error("Wrote \(summary.rows) rows of \(summary.fields.count) fields to \(output).")
        }
    }

    struct FromCSV: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "from-csv",
            abstract: "Write a CSV (first line: field names) as a QVD.",
            discussion: "Empty cells become NULL; whole numbers without leading zeros integers; decimals doubles; "
                + "YYYY-MM-DD dates and YYYY-MM-DD hh:mm:ss timestamps Qlik duals; everything else text."
        )
        @Argument(help: "The CSV file.") var file: String
        @Option(name: .shortAndLong, help: "Output QVD file.") var output: String
        @Option(help: "Table name (default: the output file's name).") var table: String?

        func run() async throws {
            let name = table ?? ((output as NSString).lastPathComponent as NSString).deletingPathExtension
            let summary = try CSVConversion.csvToQVD(input: file, output: output, tableName: name)
            Terminal.current.error("Wrote \(summary.rows) rows of \(summary.fields.count) fields to \(output) (table '\(name)').")
        }
    }
}

/// Writes a file under a temporary name and renames it into place when
/// complete, so a failure never leaves a partial file under the final name.
enum AtomicFile {
    static func write<T>(to path: String, _ body: (FileHandle) throws -> T) throws -> T {
        let temporary = path + ".tmp-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
            throw CLIError.failure("Cannot create \(temporary).")
        }
        do {
            let result = try body(handle)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, path) == 0 else {
                throw CLIError.failure("Cannot put \(path) in place: \(String(cString: strerror(errno))).")
            }
            return result
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}
