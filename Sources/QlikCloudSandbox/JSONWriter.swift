import Foundation
import NIOCore

/// Pre-serialized JSON to splice into a larger message unchanged.
struct RawJSON: Sendable {
    let buffer: ByteBuffer
}

/// Writes the engine's JSON by hand into one ByteBuffer, which becomes the
/// WebSocket frame as is: Foundation's JSONSerialization on Linux bridges
/// every value through NSObject and made a 10,000-cell hypercube page take
/// about 300 ms.
struct JSONWriter {
    private(set) var buffer: ByteBuffer

    init(capacity: Int = 1024) { buffer = ByteBufferAllocator().buffer(capacity: capacity) }

    static func serialize(_ value: Any) -> String {
        String(buffer: serializeToBuffer(value))
    }

    static func serializeToBuffer(_ value: Any) -> ByteBuffer {
        var writer = JSONWriter()
        writer.write(value)
        return writer.buffer
    }

    mutating func write(_ value: Any) {
        switch value {
        case let raw as RawJSON: buffer.writeImmutableBuffer(raw.buffer)
        case let string as String: write(string: string)
        case let bool as Bool: raw(bool ? "true" : "false")
        case let int as Int: write(integer: Int64(int))
        case let double as Double: write(number: double)
        case let array as [Any]:
            buffer.writeInteger(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                write(element)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        case let object as [String: Any]:
            buffer.writeInteger(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                write(string: key)
                buffer.writeInteger(UInt8(ascii: ":"))
                write(object[key] ?? NSNull())
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        // Tested after the containers: `is NSNull` on a Swift dictionary or array bridges it (and all it holds) to Foundation first.
        case is NSNull: raw("null")
        default:
            write(string: "\(value)")
        }
    }

    mutating func write(number: Double) {
        guard number.isFinite else { return write(string: "NaN") }
        if number == number.rounded(), abs(number) < 1e15 {
            write(integer: Int64(number))
        } else {
            raw("\(number)")
        }
    }

    /// Decimal digits without a String in between: the hot path writes millions.
    mutating func write(integer: Int64) {
        if integer < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
        var magnitude = integer.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes hold Int64's 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            repeat {
                scratch[23 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: scratch[(24 - count)...]))
        }
    }

    mutating func write(string: String) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var plain = true
        for byte in string.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            plain = false
            break
        }
        if plain {
            buffer.writeString(string)
        } else {
            for byte in string.utf8 { escape(byte) }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): raw(#"\""#)
        case UInt8(ascii: "\\"): raw(#"\\"#)
        case 0x0A: raw(#"\n"#)
        case 0x0D: raw(#"\r"#)
        case 0x09: raw(#"\t"#)
        case 0..<0x20:
            let hex = String(byte, radix: 16)
            raw("\\u00" + (hex.count == 1 ? "0" : "") + hex)
        default: buffer.writeInteger(byte)
        }
    }

    mutating func raw(_ text: String) { buffer.writeString(text) }

    mutating func byte(_ byte: UInt8) { buffer.writeInteger(byte) }

    mutating func raw(bytes: UnsafeRawBufferPointer) { buffer.writeBytes(bytes) }

    /// Lets `body` write at most `maximumCount` bytes in place; it answers how many it wrote.
    mutating func rawWithUnsafeBytes(maximumCount: Int, _ body: (UnsafeMutableRawBufferPointer) -> Int) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: maximumCount) { out in
            let written = body(UnsafeMutableRawBufferPointer(rebasing: out[0..<maximumCount]))
            precondition(written <= maximumCount, "wrote past the room asked for")
            return written
        }
    }
}
