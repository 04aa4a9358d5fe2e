/// Collects one field's values while rows are written: its distinct values
/// as QVD symbol bytes (in order of first appearance, as Qlik does), the
/// symbol index of every row, and what the values have in common (for tags).
struct FieldEncoder {
    let name: String
    var numberFormat: QVDNumberFormat?
    private(set) var symbolBytes: [UInt8] = []
    private(set) var rowIndices: [Int32] = []
    private(set) var hasNull = false
    private var dictionary = SymbolDictionary()
    /// The symbol being looked up, encoded as it would be stored.
    private var scratch: [UInt8] = []
    private var numericCount = 0
    private var integerCount = 0
    private var textCount = 0
    private var nonASCIICount = 0

    init(name: String, numberFormat: QVDNumberFormat?) {
        self.name = name
        self.numberFormat = numberFormat
        scratch.reserveCapacity(64)
    }

    var symbolCount: Int32 { Int32(dictionary.count) }

    mutating func reserve(_ rows: Int) { rowIndices.reserveCapacity(rowIndices.count + rows) }

    mutating func append(_ value: QlikValue, row: Int) throws(QVDError) {
        scratch.removeAll(keepingCapacity: true)
        var kind: SymbolKind
        switch value {
        case .null:
            hasNull = true
            rowIndices.append(-1)
            return
        case .integer(let number):
            if let small = Int32(exactly: number) {
                encode(type: 1, small)
                kind = .integer
            } else if let exact = Double(exactly: number) {
                encode(type: 2, exact.bitPattern)
                kind = .integralDouble
            } else {
                // Beyond a double's 53 bits: keep the exact digits as the dual's text.
                encode(type: 6, Double(number).bitPattern)
                kind = .dual(integral: false, ascii: try appendText(String(number), row: row))
            }
        case .double(let number):
            encode(type: 2, number.bitPattern)
            kind = .double
        case .text(let text):
            scratch.append(4)
            kind = .text(ascii: try appendText(text, row: row))
        case .dual(let number, let text):
            if let small = Int32(exactly: number) {
                encode(type: 5, small)
                kind = .dual(integral: true, ascii: try appendText(text, row: row))
            } else {
                encode(type: 6, number.bitPattern)
                kind = .dual(integral: false, ascii: try appendText(text, row: row))
            }
        }
        let (index, isNew) = scratch.withUnsafeBytes { encoded in dictionary.index(of: encoded, in: &symbolBytes) }
        if isNew { count(kind) }
        rowIndices.append(index)
    }

    private enum SymbolKind {
        case integer, integralDouble, double
        case text(ascii: Bool)
        case dual(integral: Bool, ascii: Bool)
    }

    private mutating func count(_ kind: SymbolKind) {
        switch kind {
        case .integer, .integralDouble: numericCount += 1; integerCount += 1
        case .double: numericCount += 1
        case .text(let ascii): textCount += 1; if !ascii { nonASCIICount += 1 }
        case .dual(let integral, let ascii):
            numericCount += 1
            if integral { integerCount += 1 }
            if !ascii { nonASCIICount += 1 }
        }
    }

    @inline(__always)
    private mutating func encode<T: FixedWidthInteger>(type: UInt8, _ payload: T) {
        scratch.append(type)
        withUnsafeBytes(of: payload.littleEndian) { scratch.append(contentsOf: $0) }
    }

    /// Appends the text and its NUL to the scratch symbol; returns whether it is ASCII.
    private mutating func appendText(_ text: String, row: Int) throws(QVDError) -> Bool {
        var text = text
        var ascii = true
        var hasNUL = false
        text.withUTF8 { utf8 in
            for byte in utf8 {
                if byte == 0 { hasNUL = true }
                if byte >= 0x80 { ascii = false }
            }
            scratch.append(contentsOf: utf8)
        }
        if hasNUL {
            throw QVDError(.invalidInput, "Field '\(name)', row \(row): text holds a NUL character, which QVD cannot store")
        }
        scratch.append(0)
        return ascii
    }

    /// Qlik's field tags, from what the values have in common.
    var tags: [String] {
        let count = Int(symbolCount)
        guard count > 0 else { return [] }
        var tags: [String] = []
        if numericCount == count { tags.append("$numeric") }
        if integerCount == count { tags.append("$integer") }
        if textCount == count {
            if nonASCIICount == 0 { tags.append("$ascii") }
            tags.append("$text")
        }
        switch numberFormat?.type {
        case "DATE": tags += ["$timestamp", "$date"]
        case "TIMESTAMP": tags.append("$timestamp")
        default: break
        }
        return tags
    }

    /// Fewest bits that hold every stored index: with NULLs, Qlik's Bias -2
    /// stores symbol i as i + 2 and NULL as 0.
    var bitWidth: Int {
        let largest = hasNull ? UInt64(symbolCount) + 1 : UInt64(max(Int(symbolCount) - 1, 0))
        return largest == 0 ? 0 : 64 - largest.leadingZeroBitCount
    }

    var bias: Int { hasNull ? -2 : 0 }
}
