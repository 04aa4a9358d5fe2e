/// Opens a QVD file (or bytes in memory) and streams its rows in batches.
///
/// Opening reads and checks the header only. Symbol tables are read for the
/// fields asked for; the index table is read one batch at a time, so memory
/// stays at the chosen fields' symbol tables plus one batch.
public struct QVDReader: Sendable {
    public let header: QVDHeader
    let source: any QVDByteSource
    /// Where the symbol tables start: just past the header.
    let dataStart: UInt64

    public init(path: String) throws(QVDError) {
        try self.init(source: QVDFile(path: path))
    }

    public init(source: any QVDByteSource) throws(QVDError) {
        self.source = source
        (header, dataStart) = try QVDHeaderParser.read(from: source)
        let available = source.size - dataStart
        for field in header.fields where field.offset > available || field.length > available - field.offset {
            throw QVDError(.outOfBounds, "Field '\(field.name)': its symbols (\(field.length) bytes at \(field.offset)) end past the end of the file",
                           at: dataStart + min(field.offset, available))
        }
        guard header.indexOffset <= available, header.indexLength <= available - header.indexOffset else {
            throw QVDError(.outOfBounds,
                "The index table (\(header.indexLength) bytes at \(header.indexOffset) past the header) ends past the end of the file, which has \(available) bytes after its header",
                at: dataStart + min(header.indexOffset, available))
        }
    }

    public var fieldNames: [String] { header.fields.map(\.name) }

    /// Reads the distinct values of one field.
    public func symbols(of name: String) throws(QVDError) -> SymbolTable {
        guard let field = header.fields.first(where: { $0.name == name }) else {
            throw QVDError(.unknownField, "The QVD has no field '\(name)'; it has \(fieldNames.joined(separator: ", "))")
        }
        return try symbols(of: field)
    }

    func symbols(of field: QVDFieldHeader) throws(QVDError) -> SymbolTable {
        let start = dataStart + field.offset
        let bytes = try source.bytes(at: start, count: field.length, what: "the symbols of field '\(field.name)'")
        return try SymbolParser(field: field.name, base: start).parse(bytes, count: field.numberOfSymbols)
    }

    /// The rows in batches of at most `batchSize`, with only `fields` (all by default) decoded.
    public func batches(fields names: [String]? = nil, batchSize: Int = 65_536) throws(QVDError) -> QVDBatchIterator {
        let chosen: [QVDFieldHeader]
        if let names {
            chosen = try names.map { name throws(QVDError) in
                guard let field = header.fields.first(where: { $0.name == name }) else {
                    throw QVDError(.unknownField, "The QVD has no field '\(name)'; it has \(fieldNames.joined(separator: ", "))")
                }
                return field
            }
        } else {
            chosen = header.fields
        }
        let tables = try chosen.map { field throws(QVDError) in try symbols(of: field) }
        return QVDBatchIterator(reader: self, fields: chosen, symbols: tables, batchSize: max(1, batchSize))
    }

    /// The same batches as an AsyncSequence, for code that streams with `for try await`.
    public func asyncBatches(fields: [String]? = nil, batchSize: Int = 65_536) throws(QVDError) -> QVDAsyncBatches {
        QVDAsyncBatches(iterator: try batches(fields: fields, batchSize: batchSize))
    }
}

/// Pulls batches one at a time; each call reads one slice of the index table.
public struct QVDBatchIterator: Sendable {
    let reader: QVDReader
    let fields: [QVDFieldHeader]
    let symbols: [SymbolTable]
    let batchSize: Int
    private var nextRow = 0
    private var buffer: [UInt8] = []

    init(reader: QVDReader, fields: [QVDFieldHeader], symbols: [SymbolTable], batchSize: Int) {
        self.reader = reader
        self.fields = fields
        self.symbols = symbols
        self.batchSize = batchSize
    }

    public var fieldNames: [String] { fields.map(\.name) }
    public var symbolTables: [SymbolTable] { symbols }

    public mutating func next() throws(QVDError) -> QVDBatch? {
        let header = reader.header
        guard nextRow < header.numberOfRecords else { return nil }
        let rows = min(batchSize, header.numberOfRecords - nextRow)
        let recordSize = header.recordByteSize
        let offset = reader.dataStart + header.indexOffset + UInt64(nextRow) * UInt64(recordSize)
        // Eight spare bytes let the unpacker load whole words at the last record.
        let needed = rows * recordSize + 8
        if buffer.count != needed { buffer = [UInt8](repeating: 0, count: needed) }
        let source = reader.source
        var failure: QVDError?
        buffer.withUnsafeMutableBytes { raw in
            do throws(QVDError) { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<(rows * recordSize)]), at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
        var columns: [[Int32]] = []
        columns.reserveCapacity(fields.count)
        for (field, table) in zip(fields, symbols) {
            columns.append(try IndexUnpacker(field: field, symbolCount: table.count, recordSize: recordSize)
                .unpack(buffer, rows: rows, firstRecord: nextRow, tableOffset: offset))
        }
        let batch = QVDBatch(fields: fieldNames, firstRow: nextRow, rowCount: rows, symbols: symbols, indices: columns)
        nextRow += rows
        return batch
    }
}

public struct QVDAsyncBatches: AsyncSequence, Sendable {
    public typealias Element = QVDBatch
    let iterator: QVDBatchIterator

    public struct AsyncIterator: AsyncIteratorProtocol {
        var iterator: QVDBatchIterator
        public mutating func next() async throws -> QVDBatch? { try iterator.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(iterator: iterator) }
}
