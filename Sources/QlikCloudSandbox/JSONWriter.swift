import Foundation

/// Pre-serialized JSON to splice into a larger message unchanged.
struct RawJSON {
    let text: String
}

/// Writes the engine's JSON by hand: Foundation's JSONSerialization on Linux
/// bridges every value through NSObject and made a 10,000-cell hypercube
/// page take about 300 ms; appending UTF-8 to one buffer takes about 2 ms.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    static func serialize(_ value: Any) -> String {
        var writer = JSONWriter()
        writer.write(value)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    mutating func write(_ value: Any) {
        switch value {
        case let raw as RawJSON: bytes.append(contentsOf: raw.text.utf8)
        case let string as String: write(string: string)
        case let bool as Bool: bytes.append(contentsOf: (bool ? "true" : "false").utf8)
        case let int as Int: bytes.append(contentsOf: String(int).utf8)
        case let double as Double: write(number: double)
        case is NSNull: bytes.append(contentsOf: "null".utf8)
        case let array as [Any]:
            bytes.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case let object as [String: Any]:
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(string: key)
                bytes.append(UInt8(ascii: ":"))
                write(object[key] ?? NSNull())
            }
            bytes.append(UInt8(ascii: "}"))
        default:
            write(string: "\(value)")
        }
    }

    mutating func write(number: Double) {
        guard number.isFinite else { return write(string: "NaN") }
        if number == number.rounded(), abs(number) < 1e15 {
            bytes.append(contentsOf: String(Int64(number)).utf8)
        } else {
            bytes.append(contentsOf: "\(number)".utf8)
        }
    }

    mutating func write(string: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                bytes.append(contentsOf: ("\\u00" + (hex.count == 1 ? "0" : "") + hex).utf8)
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }
}
