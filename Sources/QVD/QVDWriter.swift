public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a table as a QVD file the way Qlik does: symbols in order of first
/// appearance, minimal bit widths, Bias -2 for fields with NULLs, and a
/// header with every element Qlik and strict readers expect.
///
/// Rows are appended in batches; the file appears under its name only when
/// ``finish(creatorDoc:lineage:)`` has written it whole (a temporary file is
/// renamed into place), so a failed write leaves nothing half-written.
public final class QVDWriter {
    public struct Field: Sendable {
        public var name: String
        /// Qlik's display format; dates and timestamps set DATE or TIMESTAMP.
        public var numberFormat: QVDNumberFormat?

        public init(_ name: String, numberFormat: QVDNumberFormat? = nil) {
            self.name = name
            self.numberFormat = numberFormat
        }
    }

    public let tableName: String
    private var fields: [FieldEncoder]
    private(set) public var rowCount = 0
    private var finished = false
    /// Set when an append failed part-way: the columns may differ in length, so the table cannot be finished.
    private var failure: QVDError?

    public init(tableName: String, fields: [Field]) throws(QVDError) {
        guard !fields.isEmpty else { throw QVDError(.invalidInput, "A QVD table needs at least one field") }
        var seen = Set<String>()
        for field in fields {
            guard !field.name.isEmpty else { throw QVDError(.invalidInput, "A field name cannot be empty") }
            guard seen.insert(field.name).inserted else { throw QVDError(.invalidInput, "The field name '\(field.name)' appears twice") }
        }
        self.tableName = tableName
        self.fields = fields.map { FieldEncoder(name: $0.name, numberFormat: $0.numberFormat) }
    }

    public convenience init(tableName: String, fieldNames: [String]) throws(QVDError) {
        try self.init(tableName: tableName, fields: fieldNames.map { Field($0) })
    }

    public func append(row: [QlikValue]) throws(QVDError) {
        if let failure { throw failure }
        guard row.count == fields.count else {
            throw QVDError(.invalidInput, "Row \(rowCount) has \(row.count) values; the table has \(fields.count) fields")
        }
        // Checked before anything is added, so a refused row leaves the table as it was.
        for (index, value) in row.enumerated() { try fields[index].check(value, row: rowCount) }
        for index in fields.indices {
            do { try fields[index].append(row[index], row: rowCount) } catch {
                failure = error
                throw error
            }
        }
        rowCount += 1
    }

    public func append(rows: [[QlikValue]]) throws(QVDError) {
        for index in fields.indices { fields[index].reserve(rows.count) }
        for row in rows { try append(row: row) }
    }

    /// Appends a batch given column by column (each column the same length): the fast path.
    public func append(columns: [[QlikValue]]) throws(QVDError) {
        if let failure { throw failure }
        guard columns.count == fields.count else {
            throw QVDError(.invalidInput, "The batch has \(columns.count) columns; the table has \(fields.count) fields")
        }
        let rows = columns.first?.count ?? 0
        guard columns.allSatisfy({ $0.count == rows }) else { throw QVDError(.invalidInput, "The batch's columns differ in length") }
        // Work on a local copy: each access to a class's stored property is
        // checked for exclusivity at run time, which would cost per cell.
        var encoders = fields
        fields = []
        defer { fields = encoders }
        for index in encoders.indices {
            encoders[index].reserve(rows)
            var row = rowCount
            for value in columns[index] {
                do { try encoders[index].append(value, row: row) } catch {
                    failure = QVDError(.invalidInput, "\(error.message); the table was left incomplete and cannot be finished")
                    throw error
                }
                row += 1
            }
        }
        rowCount += rows
    }

    /// Sets a field's display format (DATE, TIMESTAMP, ...) once its values are known.
    public func setNumberFormat(_ format: QVDNumberFormat, forField name: String) throws(QVDError) {
        guard let index = fields.firstIndex(where: { $0.name == name }) else {
            throw QVDError(.unknownField, "The table has no field '\(name)'")
        }
        fields[index].numberFormat = format
    }

    /// Writes the file at `path` and returns its header.
    @discardableResult
    public func finish(to path: String, creatorDoc: String = "qlik-connector", lineage: [QVDLineage] = [], now: Date = Date()) throws(QVDError) -> QVDHeader {
        let temporary = path + ".tmp-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw QVDError(.unwritableFile, "Cannot create \(temporary)")
        }
        var renamed = false
        defer {
            try? handle.close()
            if !renamed { try? FileManager.default.removeItem(atPath: temporary) }
        }
        let header = try encode(creatorDoc: creatorDoc, lineage: lineage, now: now) { chunk throws(QVDError) in
            do { try handle.write(contentsOf: chunk) } catch {
                throw QVDError(.unwritableFile, "Writing \(temporary) failed: \(error.localizedDescription)")
            }
        }
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw QVDError(.unwritableFile, "Cannot finish writing \(temporary): \(error.localizedDescription)")
        }
        // rename(2) replaces an existing file atomically: readers see the old file or the new one.
        guard rename(temporary, path) == 0 else {
            throw QVDError(.unwritableFile, "Cannot put \(path) in place: \(String(cString: strerror(errno)))")
        }
        renamed = true
        return header
    }

    /// The whole file in memory: for tests and small tables.
    public func finishInMemory(creatorDoc: String = "qlik-connector", lineage: [QVDLineage] = [], now: Date = Date()) throws(QVDError) -> [UInt8] {
        var bytes: [UInt8] = []
        try encode(creatorDoc: creatorDoc, lineage: lineage, now: now) { chunk throws(QVDError) in bytes += chunk }
        return bytes
    }

    @discardableResult
    private func encode(creatorDoc: String, lineage: [QVDLineage], now: Date, emit: (Data) throws(QVDError) -> Void) throws(QVDError) -> QVDHeader {
        guard !finished else { throw QVDError(.invalidInput, "This QVD writer has already finished") }
        if let failure { throw failure }
        finished = true
        // Lay the fields out in the record: widest first keeps small fields byte-aligned more often.
        var bitOffset = 0
        var layout: [Int: Int] = [:]
        for index in fields.indices.sorted(by: { fields[$0].bitWidth > fields[$1].bitWidth }) {
            layout[index] = bitOffset
            bitOffset += fields[index].bitWidth
        }
        // At least one byte: readers such as pyqvd divide by the record size.
        let recordByteSize = max(1, (bitOffset + 7) / 8)
        var symbolOffset: UInt64 = 0
        var headers: [QVDFieldHeader] = []
        for (index, field) in fields.enumerated() {
            headers.append(QVDFieldHeader(
                name: field.name, bitOffset: layout[index] ?? 0, bitWidth: field.bitWidth, bias: field.bias,
                numberFormat: field.numberFormat ?? QVDNumberFormat(), numberOfSymbols: Int(field.symbolCount),
                offset: symbolOffset, length: UInt64(field.symbolBytes.count), tags: field.tags))
            symbolOffset += UInt64(field.symbolBytes.count)
        }
        let header = QVDHeader(
            tableName: tableName, qvBuildNo: QVDHeaderWriter.buildNumber, creatorDoc: creatorDoc,
            createUtcTime: QVDHeaderWriter.utcTimestamp(now), fields: headers, recordByteSize: recordByteSize,
            numberOfRecords: rowCount, indexOffset: symbolOffset, indexLength: UInt64(recordByteSize) * UInt64(rowCount),
            lineage: lineage)
        try emit(Data(QVDHeaderWriter.xml(header).utf8) + Data([0x0D, 0x0A, 0x00]))
        for field in fields { try emit(Data(field.symbolBytes)) }
        try RecordPacker(fields: fields.map { ($0.rowIndices, $0.bias) }, headers: headers, recordByteSize: recordByteSize)
            .pack(rows: rowCount, emit: emit)
        return header
    }
}

/// Packs symbol indices into fixed-size little-endian records, a chunk at a time.
struct RecordPacker {
    let fields: [(indices: [Int32], bias: Int)]
    let headers: [QVDFieldHeader]
    let recordByteSize: Int

    func pack(rows: Int, emit: (Data) throws(QVDError) -> Void) throws(QVDError) {
        guard recordByteSize > 0, rows > 0 else { return }
        let chunkRows = max(1, (4 << 20) / recordByteSize)
        var start = 0
        while start < rows {
            let count = min(chunkRows, rows - start)
            // Eight spare bytes so each field can be OR-ed in as one 64-bit store.
            var chunk = [UInt8](repeating: 0, count: count * recordByteSize + 16)
            chunk.withUnsafeMutableBytes { raw in
                for (field, header) in zip(fields, headers) where header.bitWidth > 0 {
                    let byteStart = header.bitOffset >> 3
                    let shift = UInt64(header.bitOffset & 7)
                    let bias = Int64(field.bias)
                    let spills = Int(shift) + header.bitWidth > 64
                    field.indices.withUnsafeBufferPointer { indices in
                        var position = byteStart
                        for row in start..<(start + count) {
                            let index = Int64(indices[row])
                            // NULL (-1) is stored as 0 under Bias -2.
                            let stored = UInt64(index < 0 ? 0 : index - bias)
                            let existing = raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                            raw.storeBytes(of: existing | (stored << shift).littleEndian, toByteOffset: position, as: UInt64.self)
                            if spills { raw[position + 8] |= UInt8(truncatingIfNeeded: stored >> (64 - shift)) }
                            position += recordByteSize
                        }
                    }
                }
            }
            try emit(Data(chunk[0..<(count * recordByteSize)]))
            start += count
        }
    }
}
