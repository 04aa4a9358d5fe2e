import Foundation

/// JSON text indented two spaces a level (`"key" : value`, one member or element a line), written from
/// the compact text byte by byte: a catalog of a thousand apps is printed without being decoded.
enum IndentedJSON {
    static func write(_ json: Data, to output: Terminal) {
        // Read in place: a copy of a thousand apps' text would double the command's peak memory.
        json.withUnsafeBytes { write(bytes: $0.bindMemory(to: UInt8.self), to: output) }
    }

    /// The first byte of each top-level member's value (`[` an array, `"` a string, ...) by the member's name, or nil when
    /// the text is not one object whose brackets balance. One pass without allocating per value: a decoder's index of a
    /// thousand apps' catalog took about three times the text.
    static func members(of json: Data) -> [String: UInt8]? {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
        return json.withUnsafeBytes { raw -> [String: UInt8]? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var index = 0
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
            index += 1
            var members: [String: UInt8] = [:]
            var depth = 1
            var inString = false, escaped = false
            var name: String?, nameStart: Int?, awaitingValue: String?
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if inString {
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") {
                        inString = false
                        if let start = nameStart { name = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self) }
                        nameStart = nil
                    }
                    continue
                }
                if isSpace(byte) { continue }
                if let member = awaitingValue {
                    members[member] = byte
                    awaitingValue = nil
                }
                switch byte {
                case UInt8(ascii: "\""):
                    inString = true
                    // At the top level, a string before its ':' is a member's name.
                    if depth == 1, name == nil { nameStart = index }
                case UInt8(ascii: ":"):
                    if depth == 1 { awaitingValue = name }
                case UInt8(ascii: ","):
                    if depth == 1 { name = nil }
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return bytes[index...].allSatisfy(isSpace) ? members : nil }
                default:
                    break
                }
            }
            return nil
        }
    }

    private static func write(bytes: UnsafeBufferPointer<UInt8>, to output: Terminal) {
        var out = Data()
        out.reserveCapacity(1 << 16)
        var depth = 0
        var inString = false, escaped = false
        var index = 0
        func newline() {
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inString {
                if escaped, byte == UInt8(ascii: "/") {
                    // An encoder's `\/` is printed as the `/` it stands for.
                    out.removeLast()
                }
                out.append(byte)
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                out.append(byte)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                out.append(byte)
                // An empty object or array stays on its line.
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") || bytes[index] == UInt8(ascii: "]") {
                    out.append(bytes[index])
                    index += 1
                } else {
                    depth += 1
                    newline()
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                newline()
                out.append(byte)
            case UInt8(ascii: ","):
                out.append(byte)
                newline()
            case UInt8(ascii: ":"):
                out.append(contentsOf: Array(" : ".utf8))
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                break
            default:
                out.append(byte)
            }
            if out.count >= 1 << 16 {
                output.write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        out.append(UInt8(ascii: "\n"))
        output.write(out)
    }
}
