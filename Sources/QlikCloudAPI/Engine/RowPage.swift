/// One cell as the engine shows it: its text, its number when it has one,
/// or null (element number -2).
public struct EngineCell: Sendable, Equatable {
    public let text: String?
    public let number: Double?
    /// The value's element number in its field (the engine's symbol index,
    /// the same for every cell of one value), or a negative number when the
    /// engine gave none: a QVD written from a read dedups values by it.
    public let element: Int32

    public static let null = EngineCell(text: nil, number: nil, element: -2)
    public var isNull: Bool { text == nil && number == nil }

    public init(text: String?, number: Double?, element: Int32 = -1) {
        self.text = text
        self.number = number
        self.element = element
    }

    /// Cells are equal when their values are: the element number is the engine's bookkeeping.
    public static func == (lhs: EngineCell, rhs: EngineCell) -> Bool {
        lhs.text == rhs.text && lhs.number == rhs.number
    }
}

/// Consecutive rows of a table, row-major: rows `firstRow ..< firstRow + rowCount`.
///
/// Cells are kept compact: their texts as UTF-8 bytes in one buffer, so a
/// sink that writes bytes (CSV) or only needs a value once (QVD, by element
/// number) makes no String per cell. ``subscript(row:column:)``, ``row(_:)``
/// and ``cells`` give ``EngineCell`` values when Strings are wanted.
public struct RowPage: Sendable, Equatable {
    /// One cell: where its text is in `texts` (length -1: none), its number, its element number.
    @usableFromInline struct Slot: Sendable {
        @usableFromInline var textStart: Int32
        @usableFromInline var textLength: Int32
        @usableFromInline var element: Int32
        @usableFromInline var hasNumber: Bool
        @usableFromInline var number: Double
    }

    public let firstRow: Int
    public let width: Int
    @usableFromInline let slots: [Slot]
    @usableFromInline let texts: [UInt8]

    public var rowCount: Int { width == 0 ? 0 : slots.count / width }
    public var cellCount: Int { slots.count }

    public init(firstRow: Int, width: Int, cells: [EngineCell]) {
        var builder = Builder()
        for cell in cells { builder.append(cell) }
        self.init(firstRow: firstRow, width: width, builder: builder)
    }

    init(firstRow: Int, width: Int, builder: Builder) {
        self.firstRow = firstRow
        self.width = width
        slots = builder.slots
        texts = builder.texts
    }

    /// The cell at `index` (row-major), its text made into a String.
    public func cell(at index: Int) -> EngineCell {
        let slot = slots[index]
        let text = slot.textLength < 0 ? nil : texts.withUnsafeBufferPointer { texts in
            String(decoding: UnsafeBufferPointer(rebasing: texts[Int(slot.textStart)..<Int(slot.textStart + slot.textLength)]), as: UTF8.self)
        }
        if text == nil && !slot.hasNumber { return .null }
        return EngineCell(text: text, number: slot.hasNumber ? slot.number : nil, element: slot.element)
    }

    public subscript(row: Int, column: Int) -> EngineCell { cell(at: row * width + column) }

    public func row(_ index: Int) -> [EngineCell] { (index * width..<(index + 1) * width).map(cell(at:)) }

    /// Every cell as an ``EngineCell``: for small pages and tests; sinks use the byte accessors.
    public var cells: [EngineCell] { slots.indices.map(cell(at:)) }

    /// The engine's element number of the cell at `index` (-2 for NULL, -1 when it gave none).
    @inlinable public func element(at index: Int) -> Int32 { slots[index].element }

    /// The cell's number, if the engine gave one.
    @inlinable public func number(at index: Int) -> Double? {
        let slot = slots[index]
        return slot.hasNumber ? slot.number : nil
    }

    /// The cell's text as UTF-8 bytes (empty for NULL), without making a String.
    @inlinable public func withTextBytes<R>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let slot = slots[index]
        guard slot.textLength > 0 else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try texts.withUnsafeBufferPointer { texts in
            try body(UnsafeBufferPointer(rebasing: texts[Int(slot.textStart)..<Int(slot.textStart + slot.textLength)]))
        }
    }

    public static func == (lhs: RowPage, rhs: RowPage) -> Bool {
        lhs.firstRow == rhs.firstRow && lhs.width == rhs.width && lhs.cells == rhs.cells
    }

    /// Collects a page's cells as they are parsed.
    struct Builder {
        var slots: [Slot] = []
        var texts: [UInt8] = []

        mutating func reserve(cells: Int) {
            slots.reserveCapacity(cells)
            // About eight bytes of text a cell: grows if more.
            texts.reserveCapacity(cells * 8)
        }

        mutating func append(_ cell: EngineCell) {
            if cell.isNull { return appendNull() }
            let start = Int32(texts.count)
            var length: Int32 = -1
            if let text = cell.text {
                texts.append(contentsOf: text.utf8)
                length = Int32(texts.count) - start
            }
            slots.append(Slot(textStart: start, textLength: length, element: cell.element, hasNumber: cell.number != nil, number: cell.number ?? 0))
        }

        @inline(__always) mutating func appendNull() {
            slots.append(Slot(textStart: 0, textLength: -1, element: -2, hasNumber: false, number: 0))
        }

        /// A cell whose text was just appended to `texts` from `start`.
        @inline(__always) mutating func append(textFrom start: Int, number: Double?, element: Int32) {
            slots.append(Slot(textStart: Int32(start), textLength: Int32(texts.count - start), element: element,
                              hasNumber: number != nil, number: number ?? 0))
        }
    }
}

/// Reads a `GetHyperCubeData` answer straight into cells: the engine's page
/// shape is fixed (`result.qDataPages[].qMatrix[][]` of `{qText, qNum,
/// qElemNumber, qState, qIsNull}`), so a parser made for it skips the
/// dictionaries a general decoder would build for every cell.
enum HyperCubePageParser {
    /// The cells of every page of the answer, in order, or the engine's error.
    /// Every row must hold `width` cells (0: any), else the page is refused:
    /// a longer or shorter row would shift every later cell into another column.
    static func parse(_ bytes: UnsafeRawBufferPointer, width: Int, into cells: inout RowPage.Builder) throws -> EngineError? {
        var scanner = EngineJSONScanner(bytes)
        var failure: EngineError?
        try scanner.expect(UInt8(ascii: "{"))
        try scanner.forEachKey { scanner, key in
            if key.equals("result") {
                try scanner.expect(UInt8(ascii: "{"))
                try scanner.forEachKey { scanner, key in
                    guard key.equals("qDataPages") else { return try scanner.skipValue() }
                    try scanner.expect(UInt8(ascii: "["))
                    if scanner.consume(UInt8(ascii: "]")) { return }
                    repeat { try page(&scanner, width: width, into: &cells) } while scanner.consume(UInt8(ascii: ","))
                    try scanner.expect(UInt8(ascii: "]"))
                }
            } else if key.equals("error") {
                failure = try EngineMessage.error(&scanner, method: "GetHyperCubeData")
            } else {
                try scanner.skipValue()
            }
        }
        return failure
    }

    private static func page(_ scanner: inout EngineJSONScanner, width: Int, into cells: inout RowPage.Builder) throws {
        try scanner.expect(UInt8(ascii: "{"))
        try scanner.forEachKey { scanner, key in
            guard key.equals("qMatrix") else { return try scanner.skipValue() }
            try scanner.expect(UInt8(ascii: "["))
            if scanner.consume(UInt8(ascii: "]")) { return }
            repeat {
                let rowStart = scanner.position
                let before = cells.slots.count
                try scanner.expect(UInt8(ascii: "["))
                if !scanner.consume(UInt8(ascii: "]")) {
                    repeat { try cell(&scanner, into: &cells) } while scanner.consume(UInt8(ascii: ","))
                    try scanner.expect(UInt8(ascii: "]"))
                }
                let count = cells.slots.count - before
                if width > 0 && count != width {
                    throw EngineError.malformed("a GetHyperCubeData page has a row of \(count) cells at byte \(rowStart), where \(width) columns (qWidth) were asked")
                }
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "]"))
        }
    }

    /// One cell in any key order: no closures and no Strings. Keys are compared
    /// whole (a length and a letter would take `qEmemNumber` for `qElemNumber`).
    @inline(__always) private static func cell(_ scanner: inout EngineJSONScanner, into cells: inout RowPage.Builder) throws {
        // The engine writes a cell's keys in one order: read that shape directly, else fall back to any order.
        if try fastCell(&scanner, into: &cells) { return }
        try scanner.expect(UInt8(ascii: "{"))
        var textStart = -1
        var number: Double?
        var element: Int32 = -1
        var isNull = false
        if scanner.consume(UInt8(ascii: "}")) { return cells.appendNull() }
        repeat {
            let key = try scanner.readRawString()
            try scanner.expect(UInt8(ascii: ":"))
            if key.equals("qText") {
                if textStart >= 0 { cells.texts.removeSubrange(textStart...) }
                textStart = cells.texts.count
                try scanner.readString(appendingTo: &cells.texts)
            } else if key.equals("qNum") { // "NaN" (a string) for text values
                if scanner.peek() == UInt8(ascii: "\"") { _ = try scanner.readRawString() } else { number = try scanner.readNumber() }
            } else if key.equals("qElemNumber") { // -2 is null
                let value = try scanner.readNumber()
                if value == -2 { isNull = true }
                element = Int32(exactly: value) ?? -1
            } else if key.equals("qIsNull") {
                if try scanner.readBool() { isNull = true }
            } else {
                try scanner.skipValue()
            }
        } while scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "}"))
        if isNull || (textStart < 0 && number == nil) {
            if textStart >= 0 { cells.texts.removeSubrange(textStart...) }
            return cells.appendNull()
        }
        if textStart < 0 {
            cells.slots.append(RowPage.Slot(textStart: 0, textLength: -1, element: element, hasNumber: true, number: number ?? 0))
        } else {
            cells.append(textFrom: textStart, number: number, element: element)
        }
    }
}

extension HyperCubePageParser {
    /// `{"qText":...,"qNum":...,"qElemNumber":...,"qState":"X"}` exactly, or false (scanner and cells untouched) for any other shape.
    @inline(__always) static func fastCell(_ scanner: inout EngineJSONScanner, into cells: inout RowPage.Builder) throws -> Bool {
        let start = scanner.position
        let textStart = cells.texts.count
        guard scanner.matchLiteral(#"{"qText":"#) else { return false }
        try scanner.readString(appendingTo: &cells.texts)
        var number: Double?
        guard scanner.matchLiteral(#","qNum":"#) else { return undo(&scanner, start, &cells, textStart) }
        if scanner.peek() == UInt8(ascii: "\"") { _ = try scanner.readRawString() } else { number = try scanner.readNumber() }
        guard scanner.matchLiteral(#","qElemNumber":"#) else { return undo(&scanner, start, &cells, textStart) }
        let element = try scanner.readElementNumber()
        // qState is skipped whatever it is, as in any other key order.
        guard scanner.matchLiteral(#","qState":"#) else { return undo(&scanner, start, &cells, textStart) }
        try scanner.skipValue()
        guard scanner.consume(UInt8(ascii: "}")) else { return undo(&scanner, start, &cells, textStart) }
        if element == -2 {
            cells.texts.removeSubrange(textStart...)
            cells.appendNull()
        } else {
            cells.append(textFrom: textStart, number: number, element: element)
        }
        return true
    }

    private static func undo(_ scanner: inout EngineJSONScanner, _ start: Int, _ cells: inout RowPage.Builder, _ textStart: Int) -> Bool {
        scanner.position = start
        cells.texts.removeSubrange(textStart...)
        return false
    }
}

/// The page parser, reachable by tests and benchmarks without a socket.
public enum HyperCubePageParserProbe {
    /// The cells, made into ``EngineCell`` values (Strings and all).
    public static func parse(_ bytes: UnsafeRawBufferPointer, into cells: inout [EngineCell]) throws -> EngineError? {
        var builder = RowPage.Builder()
        let failure = try HyperCubePageParser.parse(bytes, width: 0, into: &builder)
        cells += RowPage(firstRow: 0, width: 1, builder: builder).cells
        return failure
    }

    /// The page as a read keeps it (texts as bytes): what a sink is given.
    public static func page(_ bytes: UnsafeRawBufferPointer, width: Int) throws -> RowPage {
        var builder = RowPage.Builder()
        if let failure = try HyperCubePageParser.parse(bytes, width: width, into: &builder) { throw failure }
        return RowPage(firstRow: 0, width: width, builder: builder)
    }
}
