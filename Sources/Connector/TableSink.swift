import Foundation
public import QlikCloudAPI
import QVD
#if canImport(Glibc)
import Glibc
#endif

/// Where read rows go: a CSV, JSON Lines or QVD file, written under a
/// temporary name beside the target and renamed over it only when complete,
/// so a failed or interrupted read leaves no partial file under the final name.
public final class TableSink {
    public enum Format: String, Sendable, CaseIterable {
        case csv, jsonl, qvd

        /// The format a path's extension names.
        public init?(path: String) {
            self.init(rawValue: (path as NSString).pathExtension.lowercased())
        }
    }

    public let path: String
    public let format: Format
    private let temporary: String
    private var handle: FileHandle?
    private var qvd: QVDWriter?
    private var pending: [UInt8] = []
    private var fields: [String] = []
    private var types: [FieldType] = []
    private var finished = false
    public private(set) var rows = 0

    public init(path: String, format: Format) throws(ConnectorError) {
        self.path = path
        self.format = format
        let url = URL(fileURLWithPath: path)
        temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(UUID().uuidString.prefix(8))").path
        guard FileManager.default.isWritableFile(atPath: url.deletingLastPathComponent().path) else {
            throw ConnectorError.badInput("Cannot write into \(url.deletingLastPathComponent().path): the folder does not exist or is not writable.")
        }
    }

    deinit {
        // Never finished: leave nothing behind.
        if !finished { abort() }
    }

    public func begin(table: String, fields: [String], types: [FieldType]) throws(ConnectorError) {
        self.fields = fields
        self.types = types
        do {
            switch format {
            case .qvd:
                // Rows set aside beside the target: the same disk the file is written to.
                qvd = try QVDWriter(tableName: table, fieldNames: fields, spillDirectory: (temporary as NSString).deletingLastPathComponent)
                for (field, type) in zip(fields, types) {
                    if type == .date { try qvd?.setNumberFormat(.date, forField: field) }
                    if type == .timestamp { try qvd?.setNumberFormat(.timestamp, forField: field) }
                }
            case .csv, .jsonl:
                guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
                    throw ConnectorError.failed("Cannot create \(temporary).")
                }
                self.handle = handle
                if format == .csv {
                    for (index, field) in fields.enumerated() {
                        if index > 0 { pending.append(0x2C) }
                        Self.appendCSV(field, to: &pending)
                    }
                    pending.append(contentsOf: [0x0D, 0x0A])
                }
            }
        } catch let error as ConnectorError {
            throw error
        } catch {
            throw ConnectorError.failed("Cannot start \(path): \(error)")
        }
    }

    public func write(_ page: RowPage) throws(ConnectorError) {
        do {
            switch format {
            case .csv:
                // Straight to bytes: a record's fields are quoted only when they need it (RFC 4180).
                // A local buffer: the class's own property would cost an exclusivity check per byte written.
                var out = pending
                pending = []
                let width = page.width
                for cell in 0..<page.cellCount {
                    if cell % width != 0 { out.append(0x2C) } else if cell > 0 { out.append(contentsOf: [0x0D, 0x0A]) }
                    page.withTextBytes(at: cell) { Self.appendCSV($0, to: &out) }
                }
                if page.cellCount > 0 { out.append(contentsOf: [0x0D, 0x0A]) }
                pending = out
                if pending.count >= 1 << 20 { try flushJSON() }
            case .jsonl:
                let keys = fields.map { FieldType.quote($0) + ":" }
                for row in 0..<page.rowCount {
                    pending.append(UInt8(ascii: "{"))
                    for (column, cell) in page.row(row).enumerated() {
                        if column > 0 { pending.append(UInt8(ascii: ",")) }
                        pending.append(contentsOf: keys[column].utf8)
                        pending.append(contentsOf: types[column].json(cell).utf8)
                    }
                    pending.append(contentsOf: [UInt8(ascii: "}"), 0x0A])
                }
                if pending.count >= 1 << 20 { try flushJSON() }
            case .qvd:
                // Keyed by the engine's element numbers: a value is typed and stored the first time only.
                let width = page.width
                let types = self.types
                let elements = (0..<page.cellCount).map(page.element(at:))
                try elements.withUnsafeBufferPointer { elements in
                    try qvd?.append(rowCount: page.rowCount, elements: elements) { cell in types[cell % width].qvdValue(page, at: cell) }
                }
            }
            rows += page.rowCount
        } catch let error as ConnectorError {
            throw error
        } catch {
            throw ConnectorError.failed("Writing \(path) failed: \(error)")
        }
    }

    static func appendCSV(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendCSV($0, to: &bytes) }
    }

    /// A field's UTF-8, quoted only when it needs it (RFC 4180).
    @inline(__always)
    static func appendCSV(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        let needsQuotes = utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D } || utf8.first == 0x20 || utf8.last == 0x20
        guard needsQuotes else { return bytes.append(contentsOf: utf8) }
        bytes.append(0x22)
        for byte in utf8 {
            if byte == 0x22 { bytes.append(0x22) }
            bytes.append(byte)
        }
        bytes.append(0x22)
    }

    private func flushJSON() throws {
        try handle?.write(contentsOf: pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Completes the file and moves it to its final name.
    public func finish() throws(ConnectorError) {
        do {
            switch format {
            case .csv: try flushJSON()
            case .jsonl: try flushJSON()
            case .qvd: _ = try qvd?.finish(to: temporary, creatorDoc: "qlik-connector read")
            }
            try handle?.synchronize()
            try handle?.close()
            handle = nil
            // rename(2) replaces the target in one step: readers see the old file or the new one, never a part.
            guard rename(temporary, path) == 0 else { throw ConnectorError.failed("Cannot move the finished file to \(path) (errno \(errno)).") }
            finished = true
        } catch {
            abort()
            throw ConnectorError.failed("Completing \(path) failed: \(error)")
        }
    }

    /// Drops the partial file.
    public func abort() {
        try? handle?.close()
        handle = nil
        if FileManager.default.fileExists(atPath: temporary) { try? FileManager.default.removeItem(atPath: temporary) }
        finished = true
    }
}
