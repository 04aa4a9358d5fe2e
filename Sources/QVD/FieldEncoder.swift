#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    private var numericCount = 0
    private var integerCount = 0
    private var textCount = 0
    private var nonASCIICount = 0

    init(name: String, numberFormat: QVDNumberFormat?) {
        self.name = name
        self.numberFormat = numberFormat
    }

    var symbolCount: Int32 { Int32(dictionary.count) }

    /// Room for `rows` more, growing geometrically: reserving the exact size
    /// on every batch would copy the whole column each time.
    mutating func reserve(_ rows: Int) {
        let needed = rowIndices.count + rows
        if rowIndices.capacity < needed { rowIndices.reserveCapacity(max(needed, rowIndices.capacity * 2)) }
    }

    mutating func append(_ value: QlikValue, row: Int) throws(QVDError) {
        switch value {
        case .null:
            hasNull = true
            rowIndices.append(-1)
        case .integer(let number):
            if let small = Int32(exactly: number) {
                record(dictionary.integer(small, in: &symbolBytes), .integer)
            } else if let exact = Double(exactly: number) {
                record(dictionary.double(exact.bitPattern, in: &symbolBytes), .integralDouble)
            } else {
                // Beyond a double's 53 bits: keep the exact digits as the dual's text.
                try appendText(String(number), type: 6, Double(number).bitPattern, size: 8, integral: false, row: row)
            }
        case .double(let number):
            record(dictionary.double(number.bitPattern, in: &symbolBytes), .double)
        case .text(let text):
            try appendText(text, type: 4, 0, size: 0, integral: false, row: row)
        case .dual(let number, let text):
            if let small = Int32(exactly: number) {
                try appendText(text, type: 5, UInt64(UInt32(bitPattern: small)), size: 4, integral: true, row: row)
            } else {
                try appendText(text, type: 6, number.bitPattern, size: 8, integral: false, row: row)
            }
        }
    }

    /// Throws what ``append(_:row:)`` would, without adding anything.
    func check(_ value: QlikValue, row: Int) throws(QVDError) {
        switch value {
        case .text(let text), .dual(_, let text):
            if text.utf8.contains(0) {
                throw QVDError(.invalidInput, "Field '\(name)', row \(row): text holds a NUL character, which QVD cannot store")
            }
        case .null, .integer, .double: break
        }
    }

    @inline(__always)
    private mutating func record(_ lookup: (index: Int32, isNew: Bool), _ kind: SymbolKind) {
        if lookup.isNew { count(kind) }
        rowIndices.append(lookup.index)
    }

    /// A text symbol (type 4), or a dual (5, 6) whose number precedes the text.
    private mutating func appendText(_ text: String, type: UInt8, _ payload: UInt64, size: Int, integral: Bool, row: Int) throws(QVDError) {
        var text = text
        var result: (index: Int32, isNew: Bool, ascii: Bool)?
        text.withUTF8 { utf8 in
            // A NUL inside the text would end it early in the file; checked before the lookup,
            // which relies on symbols ending at their first NUL.
            if let base = utf8.baseAddress, memchr(base, 0, utf8.count) != nil { return }
            let length = 1 + size + utf8.count + 1
            withUnsafeTemporaryAllocation(byteCount: length, alignment: 8) { buffer in
                buffer[0] = type
                var little = payload.littleEndian
                withUnsafeBytes(of: &little) { bytes in
                    for offset in 0..<size { buffer[1 + offset] = bytes[offset] }
                }
                if let base = utf8.baseAddress, let target = buffer.baseAddress {
                    (target + 1 + size).copyMemory(from: base, byteCount: utf8.count)
                }
                buffer[length - 1] = 0
                let (index, isNew) = dictionary.encoded(UnsafeRawBufferPointer(buffer), in: &symbolBytes)
                // Only a new symbol needs its characters looked at again.
                result = (index, isNew, isNew ? !utf8.contains { $0 >= 0x80 } : true)
            }
        }
        guard let result else {
            throw QVDError(.invalidInput, "Field '\(name)', row \(row): text holds a NUL character, which QVD cannot store")
        }
        if result.isNew { count(type == 4 ? .text(ascii: result.ascii) : .dual(integral: integral, ascii: result.ascii)) }
        rowIndices.append(result.index)
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
