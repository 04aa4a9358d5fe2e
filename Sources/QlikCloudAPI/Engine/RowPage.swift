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
public struct RowPage: Sendable, Equatable {
    public let firstRow: Int
    public let width: Int
    public let cells: [EngineCell]

    public var rowCount: Int { width == 0 ? 0 : cells.count / width }

    public subscript(row: Int, column: Int) -> EngineCell { cells[row * width + column] }

    public func row(_ index: Int) -> ArraySlice<EngineCell> { cells[(index * width)..<((index + 1) * width)] }
}

/// Reads a `GetHyperCubeData` answer straight into cells: the engine's page
/// shape is fixed (`result.qDataPages[].qMatrix[][]` of `{qText, qNum,
/// qElemNumber, qState, qIsNull}`), so a parser made for it skips the
/// dictionaries a general decoder would build for every cell.
enum HyperCubePageParser {
    /// The cells of every page of the answer, in order, or the engine's error.
    static func parse(_ bytes: UnsafeRawBufferPointer, width: Int, into cells: inout [EngineCell]) throws -> EngineError? {
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
                    repeat { try page(&scanner, into: &cells) } while scanner.consume(UInt8(ascii: ","))
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

    private static func page(_ scanner: inout EngineJSONScanner, into cells: inout [EngineCell]) throws {
        try scanner.expect(UInt8(ascii: "{"))
        try scanner.forEachKey { scanner, key in
            guard key.equals("qMatrix") else { return try scanner.skipValue() }
            try scanner.expect(UInt8(ascii: "["))
            if scanner.consume(UInt8(ascii: "]")) { return }
            repeat {
                try scanner.expect(UInt8(ascii: "["))
                if !scanner.consume(UInt8(ascii: "]")) {
                    repeat { cells.append(try cell(&scanner)) } while scanner.consume(UInt8(ascii: ","))
                    try scanner.expect(UInt8(ascii: "]"))
                }
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "]"))
        }
    }

    /// One cell, read with the keys compared by length and a letter or two:
    /// the hot loop of a read, so no closures and no Strings for keys.
    @inline(__always) private static func cell(_ scanner: inout EngineJSONScanner) throws -> EngineCell {
        // The engine writes a cell's keys in one order: read that shape directly, else fall back to any order.
        if let fast = try fastCell(&scanner) { return fast }
        try scanner.expect(UInt8(ascii: "{"))
        var text: String?
        var number: Double?
        var element: Int32 = -1
        var isNull = false
        if scanner.consume(UInt8(ascii: "}")) { return .null }
        repeat {
            let key = try scanner.readRawString()
            try scanner.expect(UInt8(ascii: ":"))
            switch key.count {
            case 5 where key[1] == UInt8(ascii: "T"): // qText
                text = try scanner.readString()
            case 4 where key[1] == UInt8(ascii: "N"): // qNum: "NaN" (a string) for text values
                if scanner.peek() == UInt8(ascii: "\"") { _ = try scanner.readRawString() } else { number = try scanner.readNumber() }
            case 11 where key[1] == UInt8(ascii: "E"): // qElemNumber: -2 is null
                let value = try scanner.readNumber()
                if value == -2 { isNull = true }
                element = Int32(exactly: value) ?? -1
            case 7 where key[1] == UInt8(ascii: "I") && key[3] == UInt8(ascii: "N"): // qIsNull
                if try scanner.readBool() { isNull = true }
            default:
                try scanner.skipValue()
            }
        } while scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "}"))
        return isNull ? .null : EngineCell(text: text, number: number, element: element)
    }
}

extension HyperCubePageParser {
    /// `{"qText":...,"qNum":...,"qElemNumber":...,"qState":"X"}` exactly, or nil (scanner untouched) for any other shape.
    @inline(__always) static func fastCell(_ scanner: inout EngineJSONScanner) throws -> EngineCell? {
        let start = scanner.position
        guard scanner.matchLiteral(#"{"qText":"#) else { return nil }
        let text = try scanner.readString()
        guard scanner.matchLiteral(#","qNum":"#) else { scanner.position = start; return nil }
        var number: Double?
        if scanner.peek() == UInt8(ascii: "\"") { _ = try scanner.readRawString() } else { number = try scanner.readNumber() }
        guard scanner.matchLiteral(#","qElemNumber":"#) else { scanner.position = start; return nil }
        let element = try scanner.readElementNumber()
        let isNull = element == -2
        guard scanner.matchLiteral(#","qState":"#) else { scanner.position = start; return nil }
        _ = try scanner.readRawString()
        guard scanner.consume(UInt8(ascii: "}")) else { scanner.position = start; return nil }
        return isNull ? .null : EngineCell(text: text, number: number, element: element)
    }
}

/// The page parser, reachable by tests and benchmarks without a socket.
public enum HyperCubePageParserProbe {
    public static func parse(_ bytes: UnsafeRawBufferPointer, into cells: inout [EngineCell]) throws -> EngineError? {
        try HyperCubePageParser.parse(bytes, width: 0, into: &cells)
    }
}
