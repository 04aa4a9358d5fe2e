#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Collects one field's values while rows are written: its distinct values
/// as QVD symbol bytes (in order of first appearance, as Qlik does) and what
/// the values have in common (for tags). Each append answers the row's
/// symbol index; the writer keeps those (``IndexSpill``), not this.
struct FieldEncoder {
    let name: String
    var numberFormat: QVDNumberFormat?
    /// The symbol bytes still in memory; the ones before them were set aside (``spilledSymbolBytes``).
    private(set) var symbolBytes: [UInt8] = []
    private(set) var spilledSymbolBytes = 0
    private(set) var hasNull = false
    private var dictionary = SymbolDictionary()
    private var numericCount = 0
    private var integerCount = 0
    private var textCount = 0
    private var nonASCIICount = 0
    /// Values keyed by the source's element number (see ``symbol(element:value:)``):
    /// while element k is the k-th symbol, no table at all; then element -> symbol + 1.
    private var identityElements: Int32 = 0
    private var keyedIsIdentity = true
    private var elementSymbols: [Int32] = []
    private var sparseElements: [Int32: Int32] = [:]

    init(name: String, numberFormat: QVDNumberFormat?) {
        self.name = name
        self.numberFormat = numberFormat
    }

    var symbolCount: Int32 { Int32(dictionary.count) }

    /// Every symbol byte of the field, set aside or not.
    var symbolLength: Int { spilledSymbolBytes + symbolBytes.count }

    /// Moves the symbol bytes to `file` once there are `threshold` of them,
    /// while no lookup needs to read them back (values numbered by the
    /// engine, and plain numbers, never do): a read of a table with millions
    /// of distinct values then holds none of them.
    mutating func setSymbolsAside(into file: SpillFile, above threshold: Int) throws(QVDError) {
        guard symbolBytes.count >= threshold, !dictionary.readsStoredBytes else { return }
        let failure = symbolBytes.withUnsafeBufferPointer { file.append(UnsafeRawBufferPointer($0)) }
        if let failure { throw failure }
        spilledSymbolBytes += symbolBytes.count
        symbolBytes.removeAll(keepingCapacity: true)
    }

    /// The symbol index of `value` (-1 for NULL), adding the value when new.
    mutating func append(_ value: QlikValue, row: Int) throws(QVDError) -> Int32 {
        try symbol(value, deduplicated: true, row: row)
    }

    /// The symbol index of a value the source numbers itself: equal element
    /// numbers are equal values (the engine's symbol index in the field), so
    /// `value` is built and stored only the first time an element is seen
    /// and no dictionary of values is kept. -2 is NULL; other negative
    /// numbers mean "not numbered" and go through the dictionary. A value
    /// that arrives both numbered and not may be stored twice, which readers
    /// cannot tell apart.
    mutating func symbol(element: Int32, row: Int, value: () -> QlikValue) throws(QVDError) -> Int32 {
        if element == -2 {
            hasNull = true
            return -1
        }
        guard element >= 0 else { return try append(value(), row: row) }
        if keyedIsIdentity {
            if element < identityElements { return element }
            if element == identityElements && dictionary.count == Int(identityElements) {
                let symbol = try self.symbol(value(), deduplicated: false, row: row)
                if symbol >= 0 {
                    identityElements += 1
                    return symbol
                }
                // A NULL under an element number: numbered from now on, no longer identity.
            }
            keyedIsIdentity = false
            elementSymbols = (0..<identityElements).map { $0 + 1 }
        }
        // Element numbers far beyond the values seen (a field shared with bigger tables) go to a sparse map.
        if Int(element) >= max(1 << 22, 64 * (dictionary.count + 1)) {
            if let known = sparseElements[element] { return known }
            let symbol = try self.symbol(value(), deduplicated: false, row: row)
            sparseElements[element] = symbol
            return symbol
        }
        let slot = Int(element)
        if slot < elementSymbols.count, elementSymbols[slot] != 0 { return elementSymbols[slot] - 1 }
        if slot >= elementSymbols.count {
            elementSymbols.append(contentsOf: repeatElement(0, count: max(slot + 1, elementSymbols.count * 2) - elementSymbols.count))
        }
        let symbol = try self.symbol(value(), deduplicated: false, row: row)
        // NULL is not a symbol: leave the slot empty so it is asked again.
        if symbol >= 0 { elementSymbols[slot] = symbol + 1 }
        return symbol
    }

    private mutating func symbol(_ value: QlikValue, deduplicated: Bool, row: Int) throws(QVDError) -> Int32 {
        switch value {
        case .null:
            hasNull = true
            return -1
        case .integer(let number):
            if let small = Int32(exactly: number) {
                return record(deduplicated ? dictionary.integer(small, in: &symbolBytes)
                                           : dictionary.unique(type: 1, UInt64(UInt32(bitPattern: small)), size: 4, in: &symbolBytes), .integer)
            } else if let exact = Double(exactly: number) {
                return record(deduplicated ? dictionary.double(exact.bitPattern, in: &symbolBytes)
                                           : dictionary.unique(type: 2, exact.bitPattern, size: 8, in: &symbolBytes), .integralDouble)
            } else {
                // Beyond a double's 53 bits: keep the exact digits as the dual's text.
                return try appendText(String(number), type: 6, Double(number).bitPattern, size: 8, integral: false, deduplicated: deduplicated, row: row)
            }
        case .double(let number):
            return record(deduplicated ? dictionary.double(number.bitPattern, in: &symbolBytes)
                                       : dictionary.unique(type: 2, number.bitPattern, size: 8, in: &symbolBytes), .double)
        case .text(let text):
            return try appendText(text, type: 4, 0, size: 0, integral: false, deduplicated: deduplicated, row: row)
        case .dual(let number, let text):
            if let small = Int32(exactly: number) {
                return try appendText(text, type: 5, UInt64(UInt32(bitPattern: small)), size: 4, integral: true, deduplicated: deduplicated, row: row)
            } else {
                return try appendText(text, type: 6, number.bitPattern, size: 8, integral: false, deduplicated: deduplicated, row: row)
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
    private mutating func record(_ lookup: (index: Int32, isNew: Bool), _ kind: SymbolKind) -> Int32 {
        if lookup.isNew { count(kind) }
        return lookup.index
    }

    /// A text symbol (type 4), or a dual (5, 6) whose number precedes the text.
    private mutating func appendText(_ text: String, type: UInt8, _ payload: UInt64, size: Int, integral: Bool,
                                     deduplicated: Bool, row: Int) throws(QVDError) -> Int32 {
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
                let (index, isNew) = deduplicated
                    ? dictionary.encoded(UnsafeRawBufferPointer(buffer), in: &symbolBytes)
                    : dictionary.uniqueEncoded(UnsafeRawBufferPointer(buffer), in: &symbolBytes)
                // Only a new symbol needs its characters looked at again.
                result = (index, isNew, isNew ? !utf8.contains { $0 >= 0x80 } : true)
            }
        }
        guard let result else {
            throw QVDError(.invalidInput, "Field '\(name)', row \(row): text holds a NUL character, which QVD cannot store")
        }
        if result.isNew { count(type == 4 ? .text(ascii: result.ascii) : .dual(integral: integral, ascii: result.ascii)) }
        return result.index
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
