/// Collects one field's values while rows are written: its distinct values
/// as QVD symbol bytes (in order of first appearance, as Qlik does), the
/// symbol index of every row, and what the values have in common (for tags).
struct FieldEncoder {
    private struct DualKey: Hashable {
        let bits: UInt64
        let text: String
    }

    let name: String
    var numberFormat: QVDNumberFormat?
    private(set) var symbolBytes: [UInt8] = []
    private(set) var symbolCount: Int32 = 0
    private(set) var rowIndices: [Int32] = []
    private(set) var hasNull = false
    private var integers: [Int32: Int32] = [:]
    private var doubles: [UInt64: Int32] = [:]
    private var texts: [String: Int32] = [:]
    private var duals: [DualKey: Int32] = [:]
    private var numericCount = 0
    private var integerCount = 0
    private var textCount = 0
    private var nonASCIICount = 0

    init(name: String, numberFormat: QVDNumberFormat?) {
        self.name = name
        self.numberFormat = numberFormat
    }

    mutating func reserve(_ rows: Int) { rowIndices.reserveCapacity(rowIndices.count + rows) }

    mutating func append(_ value: QlikValue, row: Int) throws(QVDError) {
        switch value {
        case .null:
            hasNull = true
            rowIndices.append(-1)
        case .integer(let number):
            if let small = Int32(exactly: number) {
                rowIndices.append(integer(small))
            } else if let exact = Double(exactly: number) {
                rowIndices.append(double(exact, integral: true))
            } else {
                // Beyond a double's 53 bits: keep the exact digits as the dual's text.
                rowIndices.append(try dual(Double(number), String(number), row: row))
            }
        case .double(let number):
            rowIndices.append(double(number, integral: false))
        case .text(let text):
            rowIndices.append(try self.text(text, row: row))
        case .dual(let number, let text):
            rowIndices.append(try dual(number, text, row: row))
        }
    }

    private mutating func nextSymbol() -> Int32 {
        defer { symbolCount += 1 }
        return symbolCount
    }

    private mutating func integer(_ value: Int32) -> Int32 {
        if let index = integers[value] { return index }
        let index = nextSymbol()
        integers[value] = index
        symbolBytes.append(1)
        withUnsafeBytes(of: value.littleEndian) { symbolBytes.append(contentsOf: $0) }
        numericCount += 1
        integerCount += 1
        return index
    }

    private mutating func double(_ value: Double, integral: Bool) -> Int32 {
        let bits = value.bitPattern
        if let index = doubles[bits] { return index }
        let index = nextSymbol()
        doubles[bits] = index
        symbolBytes.append(2)
        withUnsafeBytes(of: bits.littleEndian) { symbolBytes.append(contentsOf: $0) }
        numericCount += 1
        if integral { integerCount += 1 }
        return index
    }

    private mutating func text(_ value: String, row: Int) throws(QVDError) -> Int32 {
        if let index = texts[value] { return index }
        let index = nextSymbol()
        texts[value] = index
        symbolBytes.append(4)
        try appendText(value, row: row)
        textCount += 1
        return index
    }

    private mutating func dual(_ number: Double, _ text: String, row: Int) throws(QVDError) -> Int32 {
        let key = DualKey(bits: number.bitPattern, text: text)
        if let index = duals[key] { return index }
        let index = nextSymbol()
        duals[key] = index
        if let small = Int32(exactly: number) {
            symbolBytes.append(5)
            withUnsafeBytes(of: small.littleEndian) { symbolBytes.append(contentsOf: $0) }
            integerCount += 1
        } else {
            symbolBytes.append(6)
            withUnsafeBytes(of: number.bitPattern.littleEndian) { symbolBytes.append(contentsOf: $0) }
        }
        try appendText(text, row: row)
        numericCount += 1
        return index
    }

    private mutating func appendText(_ text: String, row: Int) throws(QVDError) {
        var ascii = true
        for byte in text.utf8 {
            if byte == 0 {
                throw QVDError(.invalidInput, "Field '\(name)', row \(row): text holds a NUL character, which QVD cannot store")
            }
            if byte >= 0x80 { ascii = false }
            symbolBytes.append(byte)
        }
        symbolBytes.append(0)
        if !ascii { nonASCIICount += 1 }
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
