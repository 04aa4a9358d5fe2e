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
    private let indices: IndexSpill
    /// Per field, its symbol bytes set aside past ``symbolMemory``.
    private let symbolSpills: [SpillFile]
    private let symbolMemory: Int
    private(set) public var rowCount = 0
    private var finished = false
    /// Set when an append failed part-way: the columns may differ in length, so the table cannot be finished.
    private var failure: QVDError?

    /// `spillDirectory` holds the rows' symbol indices past a few MiB until
    /// the file is written (an unlinked file: nothing stays there).
    public convenience init(tableName: String, fields: [Field], spillDirectory: String? = nil) throws(QVDError) {
        try self.init(tableName: tableName, fields: fields, spillDirectory: spillDirectory, indexChunkCells: 1 << 20, symbolMemory: 1 << 20)
    }

    /// Tests set the spill thresholds low to spill small tables.
    init(tableName: String, fields: [Field], spillDirectory: String?, indexChunkCells: Int, symbolMemory: Int) throws(QVDError) {
        guard !fields.isEmpty else { throw QVDError(.invalidInput, "A QVD table needs at least one field") }
        var seen = Set<String>()
        for field in fields {
            guard !field.name.isEmpty else { throw QVDError(.invalidInput, "A field name cannot be empty") }
            guard seen.insert(field.name).inserted else { throw QVDError(.invalidInput, "The field name '\(field.name)' appears twice") }
        }
        self.tableName = tableName
        self.fields = fields.map { FieldEncoder(name: $0.name, numberFormat: $0.numberFormat) }
        indices = IndexSpill(width: fields.count, directory: spillDirectory, chunkCells: indexChunkCells)
        self.symbolMemory = symbolMemory
        symbolSpills = fields.map { _ in SpillFile(directory: spillDirectory) }
    }

    public convenience init(tableName: String, fieldNames: [String], spillDirectory: String? = nil) throws(QVDError) {
        try self.init(tableName: tableName, fields: fieldNames.map { Field($0) }, spillDirectory: spillDirectory)
    }

    public func append(row: [QlikValue]) throws(QVDError) {
        if let failure { throw failure }
        guard row.count == fields.count else {
            throw QVDError(.invalidInput, "Row \(rowCount) has \(row.count) values; the table has \(fields.count) fields")
        }
        // Checked before anything is added, so a refused row leaves the table as it was.
        for (index, value) in row.enumerated() { try fields[index].check(value, row: rowCount) }
        var symbols = [Int32](repeating: 0, count: fields.count)
        for index in fields.indices {
            do { symbols[index] = try fields[index].append(row[index], row: rowCount) } catch {
                failure = error
                throw error
            }
        }
        try keep(symbols, rows: 1)
    }

    public func append(rows: [[QlikValue]]) throws(QVDError) {
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
        let width = fields.count
        var symbols = [Int32](repeating: 0, count: rows * width)
        try withEncoders { encoders throws(QVDError) in
            for index in encoders.indices {
                var row = rowCount
                var cell = index
                for value in columns[index] {
                    symbols[cell] = try encoders[index].append(value, row: row)
                    row += 1
                    cell += width
                }
            }
        }
        try keep(symbols, rows: rows)
    }

    /// Appends `rowCount` rows given row-major as each cell's element number
    /// in its field, as Qlik's engine numbers values (-2 is NULL): `value`
    /// is asked for a cell's value only when its element is new to the
    /// field, so a value repeated a million times is built once and no
    /// dictionary of values is kept. The fast path of a read into QVD.
    public func append(rowCount rows: Int, elements: UnsafeBufferPointer<Int32>, value: (_ cell: Int) -> QlikValue) throws(QVDError) {
        if let failure { throw failure }
        let width = fields.count
        guard elements.count == rows * width else {
            throw QVDError(.invalidInput, "The batch has \(elements.count) cells; \(rows) rows of \(width) fields need \(rows * width)")
        }
        var symbols = [Int32](repeating: 0, count: rows * width)
        try withEncoders { encoders throws(QVDError) in
            for index in encoders.indices {
                var cell = index
                for row in 0..<rows {
                    let asked = cell
                    symbols[cell] = try encoders[index].symbol(element: elements[cell], row: rowCount + row) { value(asked) }
                    cell += width
                }
            }
        }
        try keep(symbols, rows: rows)
    }

    /// Runs `body` on a local copy of the encoders: each access to a class's
    /// stored property is checked for exclusivity at run time, which would
    /// cost per cell. A failure part-way leaves the table unfinishable.
    private func withEncoders(_ body: (inout [FieldEncoder]) throws(QVDError) -> Void) throws(QVDError) {
        var encoders = fields
        fields = []
        defer { fields = encoders }
        do { try body(&encoders) } catch {
            failure = QVDError(.invalidInput, "\(error.message); the table was left incomplete and cannot be finished")
            throw error
        }
    }

    private func keep(_ symbols: [Int32], rows: Int) throws(QVDError) {
        do {
            try symbols.withUnsafeBufferPointer { cells throws(QVDError) in try indices.append(cells) }
            for index in fields.indices { try fields[index].setSymbolsAside(into: symbolSpills[index], above: symbolMemory) }
        } catch {
            failure = error
            throw error
        }
        rowCount += rows
    }

    /// Symbol bytes still held in memory (the rest are set aside on disk).
    var symbolBytesInMemory: Int { fields.reduce(0) { $0 + $1.symbolBytes.count } }

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
                offset: symbolOffset, length: UInt64(field.symbolLength), tags: field.tags))
            symbolOffset += UInt64(field.symbolLength)
        }
        let header = QVDHeader(
            tableName: tableName, qvBuildNo: QVDHeaderWriter.buildNumber, creatorDoc: creatorDoc,
            createUtcTime: QVDHeaderWriter.utcTimestamp(now), fields: headers, recordByteSize: recordByteSize,
            numberOfRecords: rowCount, indexOffset: symbolOffset, indexLength: UInt64(recordByteSize) * UInt64(rowCount),
            lineage: lineage)
        try emit(Data(QVDHeaderWriter.xml(header).utf8) + Data([0x0D, 0x0A, 0x00]))
        for (field, spill) in zip(fields, symbolSpills) {
            try spill.forEachChunk(size: 4 << 20) { bytes throws(QVDError) in try emit(Data(bytes)) }
            try emit(Data(field.symbolBytes))
        }
        let packer = RecordPacker(biases: fields.map(\.bias), headers: headers, recordByteSize: recordByteSize)
        try indices.forEachChunk { cells throws(QVDError) in try packer.pack(cells, emit: emit) }
        return header
    }
}

/// Packs rows of symbol indices into fixed-size little-endian records.
struct RecordPacker {
    let biases: [Int]
    let headers: [QVDFieldHeader]
    let recordByteSize: Int

    /// Packs whole rows given row-major (one index per field, -1 for NULL).
    func pack(_ cells: UnsafeBufferPointer<Int32>, emit: (Data) throws(QVDError) -> Void) throws(QVDError) {
        let width = headers.count
        guard recordByteSize > 0, width > 0, !cells.isEmpty else { return }
        let rows = cells.count / width
        // Eight spare bytes so each field can be OR-ed in as one 64-bit store.
        var chunk = Data(count: rows * recordByteSize + 16)
        chunk.withUnsafeMutableBytes { raw in
            for (field, header) in headers.enumerated() where header.bitWidth > 0 {
                let byteStart = header.bitOffset >> 3
                let shift = UInt64(header.bitOffset & 7)
                let bias = Int64(biases[field])
                let spills = Int(shift) + header.bitWidth > 64
                var position = byteStart
                var cell = field
                for _ in 0..<rows {
                    let index = Int64(cells[cell])
                    // NULL (-1) is stored as 0 under Bias -2.
                    let stored = UInt64(index < 0 ? 0 : index - bias)
                    let existing = raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                    raw.storeBytes(of: existing | (stored << shift).littleEndian, toByteOffset: position, as: UInt64.self)
                    if spills { raw[position + 8] |= UInt8(truncatingIfNeeded: stored >> (64 - shift)) }
                    position += recordByteSize
                    cell += width
                }
            }
        }
        chunk.count = rows * recordByteSize
        try emit(chunk)
    }
}
