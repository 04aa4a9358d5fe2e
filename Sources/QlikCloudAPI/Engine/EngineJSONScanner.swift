import Foundation
/// A forward-only reader of one JSON document, made for the engine's
/// messages: it reads keys as bytes, makes Strings only for values it keeps,
/// and skips everything else without building it. A general-purpose decoder
/// builds every object of a 10,000-cell page; this reads it in one pass.
struct EngineJSONScanner {
    struct Malformed: Error, CustomStringConvertible {
        let offset: Int
        let expected: String
        var description: String { "malformed JSON at byte \(offset): expected \(expected)" }
    }

    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inline(__always) mutating func skipWhitespace() {
        // The engine writes compact JSON: the common case is no whitespace at all.
        guard position < bytes.count, bytes[position] <= 0x20 else { return }
        while position < bytes.count {
            let byte = bytes[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    @inline(__always) mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    @inline(__always) mutating func expect(_ byte: UInt8) throws(Malformed) {
        guard peek() == byte else { throw Malformed(offset: position, expected: "'\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    /// Consumes `byte` if it comes next.
    @inline(__always) mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        position += 1
        return true
    }

    /// Reads an object's keys one by one: call with the object's `{` consumed,
    /// `visit` must read or skip each value. The key arrives as raw bytes.
    mutating func forEachKey(_ visit: (inout EngineJSONScanner, UnsafeRawBufferPointer) throws -> Void) throws {
        if consume(UInt8(ascii: "}")) { return }
        repeat {
            let key = try readRawString()
            try expect(UInt8(ascii: ":"))
            try visit(&self, key)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// The bytes between a string's quotes, escapes left as they are.
    @inline(__always) mutating func readRawString() throws(Malformed) -> UnsafeRawBufferPointer {
        try expect(UInt8(ascii: "\""))
        let start = position
        guard let base = bytes.baseAddress else { throw Malformed(offset: start, expected: "a string") }
        let end = bytes.count
        var index = position
        while index < end {
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            if byte == UInt8(ascii: "\"") {
                position = index + 1
                return UnsafeRawBufferPointer(start: base + start, count: index - start)
            }
            index += byte == UInt8(ascii: "\\") ? 2 : 1
        }
        throw Malformed(offset: start, expected: "the end of a string")
    }

    mutating func readString() throws(Malformed) -> String {
        let raw = try readRawString()
        guard raw.contains(UInt8(ascii: "\\")) else { return String(decoding: raw, as: UTF8.self) }
        return try Self.unescape(raw, at: position)
    }

    /// A string's characters appended to `bytes` as UTF-8, escapes resolved;
    /// invalid UTF-8 is repaired as `String(decoding:)` repairs it.
    @inline(__always) mutating func readString(appendingTo bytes: inout [UInt8]) throws(Malformed) {
        let raw = try readRawString()
        var high: UInt8 = 0
        var escaped = false
        for byte in raw {
            high |= byte
            if byte == UInt8(ascii: "\\") { escaped = true; break }
        }
        if !escaped && high < 0x80 { return bytes.append(contentsOf: raw) }
        let text = escaped ? try Self.unescape(raw, at: position) : String(decoding: raw, as: UTF8.self)
        bytes.append(contentsOf: text.utf8)
    }

    static func unescape(_ raw: UnsafeRawBufferPointer, at offset: Int) throws(Malformed) -> String {
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        var index = 0
        func flush() {
            if !utf8.isEmpty { scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars); utf8.removeAll(keepingCapacity: true) }
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < raw.count else {
                utf8.append(byte)
                index += 1
                continue
            }
            let escaped = raw[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "u"):
                guard index + 4 <= raw.count, var code = hex(raw, index) else { throw Malformed(offset: offset, expected: "four hex digits after \\u") }
                index += 4
                // A surrogate pair spells one scalar beyond the basic plane.
                if (0xD800..<0xDC00).contains(code), index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u"),
                   let low = hex(raw, index + 2), (0xDC00..<0xE000).contains(low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                flush()
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: utf8.append(escaped) // \" \\ \/
            }
        }
        flush()
        return String(scalars)
    }

    private static func hex(_ raw: UnsafeRawBufferPointer, _ start: Int) -> UInt32? {
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = raw[start + offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in (0..<exponent).reduce(1.0) { value, _ in value * 10 } }

    /// A JSON number. Integers, and decimals of at most 15 significant digits
    /// without an exponent, are read digit by digit: both the digits and the
    /// power of ten are exact doubles, so one division rounds correctly
    /// (Clinger's fast path). Anything else goes through Double's parser.
    mutating func readNumber() throws(Malformed) -> Double {
        skipWhitespace()
        let start = position
        guard let base = bytes.baseAddress else { throw Malformed(offset: start, expected: "a number") }
        // A local index and raw loads: the scanner is inout, and its stored position would be written back every byte.
        let end = bytes.count
        var index = position
        var negative = false
        if index < end, base.load(fromByteOffset: index, as: UInt8.self) == UInt8(ascii: "-") { negative = true; index += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        while index < end {
            let digit = base.load(fromByteOffset: index, as: UInt8.self) &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw Malformed(offset: start, expected: "a number") }
        var fraction = 0
        if index < end, base.load(fromByteOffset: index, as: UInt8.self) == UInt8(ascii: ".") {
            index += 1
            while index < end {
                let digit = base.load(fromByteOffset: index, as: UInt8.self) &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                mantissa = mantissa &* 10 &+ UInt64(digit)
                digits += 1
                fraction += 1
                index += 1
            }
        }
        let next = index < end ? base.load(fromByteOffset: index, as: UInt8.self) : 0
        if next != UInt8(ascii: "e"), next != UInt8(ascii: "E"), digits <= 15, fraction <= 22 {
            position = index
            let value = fraction == 0 ? Double(mantissa) : Double(mantissa) / Self.powersOfTen[fraction]
            return negative ? -value : value
        }
        while index < end, Self.isNumberByte(base.load(fromByteOffset: index, as: UInt8.self)) { index += 1 }
        position = index
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text) else { throw Malformed(offset: start, expected: "a number") }
        return value
    }

    @inline(__always) static func isNumberByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
            || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
    }

    mutating func readInt() throws(Malformed) -> Int {
        let value = try readNumber()
        guard value == value.rounded(), abs(value) < 9e15 else { throw Malformed(offset: position, expected: "an integer") }
        return Int(value)
    }

    mutating func readBool() throws(Malformed) -> Bool {
        skipWhitespace()
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw Malformed(offset: position, expected: "true or false")
    }

    /// Consumes `literal` if the bytes here spell it: one memcmp, the hot path of the page parser.
    @inline(__always) mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count, let base = bytes.baseAddress else { return false }
        guard memcmp(base + position, literal.utf8Start, count) == 0 else { return false }
        position += count
        return true
    }

    /// An element number: a small integer read digit by digit (no Double in
    /// between); any other number (`21.5E+3`, `-2.0`) through ``readNumber()``,
    /// so it means what it means in any key order; -1 when not an Int32.
    @inline(__always) mutating func readElementNumber() throws(Malformed) -> Int32 {
        skipWhitespace()
        let start = position
        if let base = bytes.baseAddress {
            let end = bytes.count
            var index = start
            let negative = index < end && base.load(fromByteOffset: index, as: UInt8.self) == UInt8(ascii: "-")
            if negative { index += 1 }
            var value: Int64 = 0
            let first = index
            while index < end, index - first < 11 {
                let digit = base.load(fromByteOffset: index, as: UInt8.self) &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                value = value &* 10 &+ Int64(digit)
                index += 1
            }
            if index > first, index < end {
                let next = base.load(fromByteOffset: index, as: UInt8.self)
                if next == UInt8(ascii: ",") || next == UInt8(ascii: "}"), let element = Int32(exactly: negative ? -value : value) {
                    position = index
                    return element
                }
            }
        }
        // A fraction, an exponent, a space before the comma or a huge number: the slow path's reading.
        position = start
        return Int32(exactly: try readNumber()) ?? -1
    }

    /// Skips one value of any kind, nested ones included.
    mutating func skipValue() throws(Malformed) {
        guard let byte = peek() else { throw Malformed(offset: position, expected: "a value") }
        switch byte {
        case UInt8(ascii: "\""): _ = try readRawString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while position < bytes.count {
                let current = bytes[position]
                if current == UInt8(ascii: "\"") { _ = try readRawString(); continue }
                position += 1
                if current == UInt8(ascii: "{") || current == UInt8(ascii: "[") { depth += 1 }
                if current == UInt8(ascii: "}") || current == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return }
                }
            }
            throw Malformed(offset: position, expected: "the end of an object or array")
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            guard matchLiteral("true") || matchLiteral("false") || matchLiteral("null") else { throw Malformed(offset: position, expected: "a literal") }
        default:
            _ = try readNumber()
        }
    }
}

extension UnsafeRawBufferPointer {
    /// Compares with an ASCII key without making a String.
    @inline(__always) func equals(_ key: StaticString) -> Bool {
        guard count == key.utf8CodeUnitCount else { return false }
        guard let base = baseAddress else { return count == 0 }
        return memcmp(base, key.utf8Start, count) == 0
    }
}
