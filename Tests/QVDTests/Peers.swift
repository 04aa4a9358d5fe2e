import Foundation
import TestProcesses
import Testing
@testable import QVD

/// pyqvd and qvdrs, the independent QVD implementations the test command
/// installs into a private virtualenv (scripts/qvd-peers/setup.sh), driven
/// through scripts/qvd-peers/peer.py.
enum Peers {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var python: String? {
        let configured = ProcessInfo.processInfo.environment["QVD_PEERS_PYTHON"]
        let candidates = [configured, repository.appendingPathComponent(".venv-qvd-peers/bin/python").path].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var available: Bool { python != nil && ProcessInfo.processInfo.environment["QVD_PEERS_UNAVAILABLE"] == nil }

    struct Table: Codable {
        var table: String?
        var fields: [String]
        var rows: [[Cell?]]
    }

    struct Cell: Codable, Equatable {
        var text: String?
        var number: Double?
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs peer.py; the wait is asynchronous so it never holds a thread the other tests share.
    @discardableResult
    static func run(_ arguments: [String]) async throws -> Data {
        guard let python else { throw Failure(description: "the QVD peers are not installed (run scripts/qvd-peers/setup.sh)") }
        let run = try await ChildProcess.run(python, [repository.appendingPathComponent("scripts/qvd-peers/peer.py").path] + arguments)
        guard run.status == 0 else {
            throw Failure(description: "peer.py \(arguments.joined(separator: " ")) exited \(run.status): \(run.errors)")
        }
        return run.standardOutput
    }

    /// A peer's dump, decoded a row at a time (peer.py writes each row on a line of its own). Decoded whole, these documents
    /// crashed the test process twice in full runs (2026-12-05 and -06; never with QVDTests alone): JSONDecoder read one
    /// byte past the end of a mapping in its JSONMap, which for a document this large is a buffer of its own that malloc
    /// maps. A row's map is small and in the heap. JSONSerialization is no way out: it rounds some doubles wrongly.
    static func dump(_ library: String, _ path: String) async throws -> Table {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let lines = try await run(["dump", library, path]).split(separator: UInt8(ascii: "\n"))
        guard let head = lines.first, lines.count >= 2, lines[lines.count - 1] == Data("]}".utf8) else {
            throw Failure(description: "peer.py dump \(library) \(path) did not answer a table a row per line")
        }
        var table = try decoder.decode(Table.self, from: Data(head) + Data("]}".utf8))
        for var line in lines.dropFirst().dropLast() {
            if line.last == UInt8(ascii: ",") { line.removeLast() }
            table.rows.append(try decoder.decode([Cell?].self, from: Data(line)))
        }
        return table
    }

    static func write(_ library: String, _ table: Table, to path: String) async throws {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let spec = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID().uuidString).json")
        try encoder.encode(table).write(to: spec)
        defer { try? FileManager.default.removeItem(at: spec) }
        try await run(["write", library, path, spec.path])
    }

    /// Whether a value read here is exactly what pyqvd reports.
    static func exactlyMatches(_ value: QlikValue, _ cell: Cell?) -> Bool {
        switch (value, cell) {
        case (.null, nil): return true
        case (.integer(let number), let cell?): return cell.text == nil && cell.number == Double(number)
        case (.double(let number), let cell?): return cell.text == nil && same(cell.number, number)
        case (.text(let text), let cell?): return cell.number == nil && cell.text == text
        case (.dual(let number, let text), let cell?): return cell.text == text && same(cell.number, number)
        default: return false
        }
    }

    /// Whether a value matches what qvdrs reports, within what qvdrs can say:
    /// it gives every number a text of its own and drops numbers from text-typed fields.
    static func matchesWithinQvdrs(_ value: QlikValue, _ cell: Cell?) -> Bool {
        switch (value, cell) {
        case (.null, nil): return true
        case (.integer(let number), let cell?): return cell.number == nil || cell.number == Double(number)
        case (.double(let number), let cell?): return cell.number == nil || same(cell.number, number)
        case (.text(let text), let cell?): return cell.text == text
        case (.dual(let number, let text), let cell?): return cell.text == text && (cell.number == nil || same(cell.number, number))
        default: return false
        }
    }

    static func cell(_ value: QlikValue) -> Cell? {
        switch value {
        case .null: nil
        case .integer(let number): Cell(text: nil, number: Double(number))
        case .double(let number): Cell(text: nil, number: number)
        case .text(let text): Cell(text: text, number: nil)
        case .dual(let number, let text): Cell(text: text, number: number)
        }
    }

    private static func same(_ a: Double?, _ b: Double) -> Bool {
        guard let a else { return false }
        return a == b || (a.isNaN && b.isNaN)
    }
}

/// Every row of a QVD read here, by whichever reader.
func readAllRows(_ path: String) throws -> (QVDHeader, [[QlikValue]]) {
    let reader = try QVDReader(path: path)
    var iterator = try reader.batches()
    var rows: [[QlikValue]] = []
    while let batch = try iterator.next() { rows += batch.rows }
    return (reader.header, rows)
}
