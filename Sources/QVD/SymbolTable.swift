/// The distinct values of one field, kept compactly: a field of plain
/// integers is an array of Int32, of texts one byte buffer with offsets.
/// A 10-million-symbol id column costs 40 MB here, not the 320 MB an array of
/// ``QlikValue`` would.
public struct SymbolTable: Sendable {
    enum Storage: Sendable {
        case integers([Int32])
        case doubles([Double])
        case texts(TextStore)
        /// Mixed kinds, duals among them: kind byte, number and text per symbol.
        case mixed(kinds: [UInt8], numbers: [Double], texts: TextStore)
    }

    let storage: Storage

    public var count: Int {
        switch storage {
        case .integers(let values): values.count
        case .doubles(let values): values.count
        case .texts(let texts): texts.count
        case .mixed(let kinds, _, _): kinds.count
        }
    }

    /// The value of symbol `index` (0 ..< count).
    @inline(__always)
    public func value(at index: Int) -> QlikValue {
        switch storage {
        case .integers(let values): return .integer(Int64(values[index]))
        case .doubles(let values): return .double(values[index])
        case .texts(let texts): return .text(texts.string(at: index))
        case .mixed(let kinds, let numbers, let texts):
            switch kinds[index] {
            case 1: return .integer(Int64(numbers[index]))
            case 2: return .double(numbers[index])
            case 4: return .text(texts.string(at: index))
            default: return .dual(numbers[index], texts.string(at: index))
            }
        }
    }

    /// The values of many symbol indices (-1 for NULL), resolved in one pass.
    func values(at indices: [Int32]) -> [QlikValue] {
        var result: [QlikValue] = []
        result.reserveCapacity(indices.count)
        switch storage {
        case .integers(let values):
            for index in indices { result.append(index < 0 ? .null : .integer(Int64(values[Int(index)]))) }
        case .doubles(let values):
            for index in indices { result.append(index < 0 ? .null : .double(values[Int(index)])) }
        case .texts(let texts):
            for index in indices { result.append(index < 0 ? .null : .text(texts.string(at: Int(index)))) }
        case .mixed:
            for index in indices { result.append(index < 0 ? .null : value(at: Int(index))) }
        }
        return result
    }

    /// How the symbols are typed, for `qvd inspect`.
    public var kindSummary: String {
        switch storage {
        case .integers: return "int"
        case .doubles: return "double"
        case .texts: return "text"
        case .mixed(let kinds, _, _):
            let names: [UInt8: String] = [1: "int", 2: "double", 4: "text", 5: "dual int", 6: "dual double"]
            let present = Set(kinds)
            return [1, 2, 4, 5, 6].filter(present.contains).compactMap { names[$0] }.joined(separator: "+")
        }
    }

    /// Approximate bytes held, for memory accounting.
    public var byteCount: Int {
        switch storage {
        case .integers(let values): values.count * 4
        case .doubles(let values): values.count * 8
        case .texts(let texts): texts.byteCount
        case .mixed(let kinds, let numbers, let texts): kinds.count + numbers.count * 8 + texts.byteCount
        }
    }
}

/// Many strings in one buffer: symbol i is bytes[ends[i-1] ..< ends[i]],
/// UTF-8 validated once when read.
struct TextStore: Sendable {
    var bytes: [UInt8] = []
    var ends: [Int] = []
    /// The symbols as Strings, made once when there are few enough, so that
    /// reading a value is a retain rather than an allocation per cell.
    private var strings: [String]?
    static let cachedLimit = 1 << 20

    var count: Int { ends.count }
    var byteCount: Int { bytes.count + ends.count * 8 + (strings.map { $0.count * 16 + bytes.count } ?? 0) }

    mutating func cacheStrings() {
        guard count <= Self.cachedLimit else { return }
        strings = (0..<count).map(decode)
    }

    @inline(__always)
    func string(at index: Int) -> String {
        if let strings { return strings[index] }
        return decode(index)
    }

    private func decode(_ index: Int) -> String {
        let start = index == 0 ? 0 : ends[index - 1]
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<ends[index]]), as: UTF8.self) }
    }

    mutating func append<C: Collection>(_ utf8: C) where C.Element == UInt8 {
        bytes.append(contentsOf: utf8)
        ends.append(bytes.count)
    }

    mutating func appendEmpty() { ends.append(bytes.count) }
}

/// Parses one field's symbol bytes: each symbol a type byte, then
/// 1 int32, 2 float64, 4 NUL-ended UTF-8, 5 int32 + text, 6 float64 + text.
struct SymbolParser {
    let field: String
    /// Where the field's symbols start in the file, for error offsets.
    let base: UInt64

    func parse(_ bytes: [UInt8], count expected: Int) throws(QVDError) -> SymbolTable {
        var builder = Builder(capacity: min(expected, bytes.count / 2))
        var position = 0
        var parsed = 0
        let total = bytes.count
        let field = self.field, base = self.base
        func fail(_ kind: QVDError.Kind, _ message: String, at offset: Int) -> QVDError {
            QVDError(kind, "Field '\(field)': \(message)", at: base + UInt64(offset))
        }
        var failure: QVDError?
        bytes.withUnsafeBytes { raw in
            do throws(QVDError) {
            while position < total {
                guard parsed < expected else {
                    throw fail(.symbolCountMismatch, "NoOfSymbols says \(expected), but the symbol table holds more", at: position)
                }
                let type = raw[position]
                let start = position
                position += 1
                switch type {
                case 1, 5:
                    guard total - position >= 4 else { throw fail(.truncated, "symbol \(parsed) is cut short", at: start) }
                    let value = Int32(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: Int32.self))
                    position += 4
                    if type == 1 {
                        builder.appendInteger(value)
                    } else {
                        let text = try string(raw, &position, total, parsed, fail)
                        builder.appendDual(kind: 5, Double(value), text)
                    }
                case 2, 6:
                    guard total - position >= 8 else { throw fail(.truncated, "symbol \(parsed) is cut short", at: start) }
                    let bits = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                    position += 8
                    if type == 2 {
                        builder.appendDouble(Double(bitPattern: bits))
                    } else {
                        let text = try string(raw, &position, total, parsed, fail)
                        builder.appendDual(kind: 6, Double(bitPattern: bits), text)
                    }
                case 4:
                    builder.appendText(try string(raw, &position, total, parsed, fail))
                default:
                    throw fail(.invalidSymbol, "symbol \(parsed) has the unknown type byte \(type)", at: start)
                }
                parsed += 1
            }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        guard parsed == expected else {
            throw fail(.symbolCountMismatch, "NoOfSymbols says \(expected), but the symbol table holds \(parsed)", at: position)
        }
        return SymbolTable(storage: builder.finished())
    }

    /// A NUL-terminated UTF-8 string at `position`, returned as a slice range.
    private func string(
        _ raw: UnsafeRawBufferPointer, _ position: inout Int, _ total: Int, _ index: Int,
        _ fail: (QVDError.Kind, String, Int) -> QVDError
    ) throws(QVDError) -> UnsafeRawBufferPointer {
        let start = position
        guard let end = raw[start..<total].firstIndex(of: 0) else {
            throw fail(.truncated, "text of symbol \(index) has no terminating NUL", start)
        }
        let slice = UnsafeRawBufferPointer(rebasing: raw[start..<end])
        // Plain ASCII needs no further check; anything else is validated once here.
        if slice.contains(where: { $0 >= 0x80 }), String(validating: slice, as: UTF8.self) == nil {
            throw fail(.invalidUTF8, "text of symbol \(index) is not valid UTF-8", start)
        }
        position = end + 1
        return slice
    }

    /// Keeps the most compact storage that still holds every symbol seen.
    struct Builder {
        var storage: SymbolTable.Storage
        private var capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            storage = .integers([])
        }

        private var isEmpty: Bool { SymbolTable(storage: storage).count == 0 }

        func finished() -> SymbolTable.Storage {
            switch storage {
            case .texts(var texts):
                texts.cacheStrings()
                return .texts(texts)
            case .mixed(let kinds, let numbers, var texts):
                texts.cacheStrings()
                return .mixed(kinds: kinds, numbers: numbers, texts: texts)
            case .integers, .doubles:
                return storage
            }
        }

        mutating func appendInteger(_ value: Int32) {
            if case .integers(var values) = storage {
                storage = .integers([])
                if values.isEmpty { values.reserveCapacity(capacity) }
                values.append(value)
                storage = .integers(values)
            } else if isEmpty {
                storage = .integers([value])
            } else {
                appendMixed(kind: 1, Double(value), nil)
            }
        }

        mutating func appendDouble(_ value: Double) {
            if case .doubles(var values) = storage {
                storage = .integers([])
                values.append(value)
                storage = .doubles(values)
            } else if isEmpty {
                var values: [Double] = []
                values.reserveCapacity(capacity)
                values.append(value)
                storage = .doubles(values)
            } else {
                appendMixed(kind: 2, value, nil)
            }
        }

        mutating func appendText(_ utf8: UnsafeRawBufferPointer) {
            if case .texts(var texts) = storage {
                storage = .integers([])
                texts.append(utf8)
                storage = .texts(texts)
            } else if isEmpty {
                var texts = TextStore()
                texts.ends.reserveCapacity(capacity)
                texts.append(utf8)
                storage = .texts(texts)
            } else {
                appendMixed(kind: 4, 0, utf8)
            }
        }

        mutating func appendDual(kind: UInt8, _ number: Double, _ utf8: UnsafeRawBufferPointer) {
            appendMixed(kind: kind, number, utf8)
        }

        private mutating func appendMixed(kind: UInt8, _ number: Double, _ utf8: UnsafeRawBufferPointer?) {
            var (kinds, numbers, texts) = mixedStorage()
            storage = .integers([])
            kinds.append(kind)
            numbers.append(number)
            if let utf8 { texts.append(utf8) } else { texts.appendEmpty() }
            storage = .mixed(kinds: kinds, numbers: numbers, texts: texts)
        }

        /// The current symbols as mixed storage (converting once, on the first kind change).
        private func mixedStorage() -> ([UInt8], [Double], TextStore) {
            switch storage {
            case .mixed(let kinds, let numbers, let texts):
                return (kinds, numbers, texts)
            case .integers(let values):
                var texts = TextStore()
                values.forEach { _ in texts.appendEmpty() }
                return (Array(repeating: 1, count: values.count), values.map(Double.init), texts)
            case .doubles(let values):
                var texts = TextStore()
                values.forEach { _ in texts.appendEmpty() }
                return (Array(repeating: 2, count: values.count), values, texts)
            case .texts(let existing):
                return (Array(repeating: 4, count: existing.count), Array(repeating: 0, count: existing.count), existing)
            }
        }
    }
}
