/// A minimal XML reader for QVD headers: elements, text, the five named
/// entities and numeric character references. Declarations, comments and
/// processing instructions are skipped. Depth and size are bounded, and
/// every failure names its byte offset: headers come from untrusted files.
struct XMLElement {
    var name: String
    var text: String
    var children: [XMLElement]

    func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }
    func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }
}

struct XMLTreeParser {
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var position = 0
    private let base: UInt64

    /// `base` is where `bytes` start in the file, for error offsets.
    init(_ bytes: [UInt8], base: UInt64 = 0) {
        self.bytes = bytes
        self.base = base
    }

    static func parse(_ bytes: [UInt8], base: UInt64 = 0) throws(QVDError) -> XMLElement {
        var parser = XMLTreeParser(bytes, base: base)
        parser.skipMisc()
        let root = try parser.element(depth: 0)
        parser.skipMisc()
        guard parser.position == parser.bytes.count else { throw parser.fail("content after the root element") }
        return root
    }

    private func fail(_ what: String) -> QVDError {
        QVDError(.malformedHeader, "The QVD header is not well-formed XML: \(what)", at: base + UInt64(position))
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private func starts(with literal: String) -> Bool {
        let utf8 = Array(literal.utf8)
        return position + utf8.count <= bytes.count && bytes[position..<position + utf8.count].elementsEqual(utf8)
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    /// Skips whitespace, the XML declaration, comments and processing instructions.
    private mutating func skipMisc() {
        while true {
            skipWhitespace()
            if position == 0, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3; continue }
            if starts(with: "<?") {
                guard skip(past: "?>") else { return }
            } else if starts(with: "<!--") {
                guard skip(past: "-->") else { return }
            } else if starts(with: "<!") {
                guard skip(past: ">") else { return }
            } else {
                return
            }
        }
    }

    private mutating func skip(past terminator: String) -> Bool {
        let utf8 = Array(terminator.utf8)
        while position + utf8.count <= bytes.count {
            if bytes[position..<position + utf8.count].elementsEqual(utf8) {
                position += utf8.count
                return true
            }
            position += 1
        }
        position = bytes.count
        return false
    }

    private mutating func name() throws(QVDError) -> String {
        let start = position
        while let byte = current, !(byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x2F || byte == 0x3E || byte == 0x3D) {
            position += 1
        }
        guard position > start, let name = String(validating: bytes[start..<position], as: UTF8.self) else {
            throw fail("expected an element name")
        }
        return name
    }

    private mutating func element(depth: Int) throws(QVDError) -> XMLElement {
        guard depth < Self.maximumDepth else { throw fail("elements nested deeper than \(Self.maximumDepth)") }
        guard current == 0x3C else { throw fail("expected '<'") }
        position += 1
        let name = try name()
        // Attributes are not used by QVD headers: skip them, quotes respected.
        var quote: UInt8?
        while let byte = current {
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == 0x22 || byte == 0x27 {
                quote = byte
            } else if byte == 0x3E || byte == 0x2F {
                break
            }
            position += 1
        }
        if starts(with: "/>") {
            position += 2
            return XMLElement(name: name, text: "", children: [])
        }
        guard current == 0x3E else { throw fail("element <\(name)> is not closed") }
        position += 1

        var text: [UInt8] = []
        var children: [XMLElement] = []
        while true {
            guard let byte = current else { throw fail("element <\(name)> has no end tag") }
            if byte == 0x3C {
                if starts(with: "</") {
                    position += 2
                    let closing = try self.name()
                    guard closing == name else { throw fail("</\(closing)> closes <\(name)>") }
                    skipWhitespace()
                    guard current == 0x3E else { throw fail("end tag </\(name)> is not closed") }
                    position += 1
                    break
                } else if starts(with: "<!--") {
                    guard skip(past: "-->") else { throw fail("unterminated comment") }
                } else if starts(with: "<![CDATA[") {
                    position += 9
                    let start = position
                    guard skip(past: "]]>") else { throw fail("unterminated CDATA section") }
                    text += bytes[start..<position - 3]
                } else if starts(with: "<?") {
                    guard skip(past: "?>") else { throw fail("unterminated processing instruction") }
                } else {
                    children.append(try element(depth: depth + 1))
                }
            } else if byte == 0x26 {
                text += try entity()
            } else {
                text.append(byte)
                position += 1
            }
        }
        guard let decoded = String(validating: text, as: UTF8.self) else {
            throw QVDError(.invalidUTF8, "The QVD header's <\(name)> element is not valid UTF-8", at: base + UInt64(position))
        }
        return XMLElement(name: name, text: decoded, children: children)
    }

    private mutating func entity() throws(QVDError) -> [UInt8] {
        let start = position
        guard let end = bytes[position...].prefix(12).firstIndex(of: 0x3B) else { throw fail("unterminated entity") }
        let body = String(decoding: bytes[(start + 1)..<end], as: UTF8.self)
        position = end + 1
        switch body {
        case "amp": return [0x26]
        case "lt": return [0x3C]
        case "gt": return [0x3E]
        case "quot": return [0x22]
        case "apos": return [0x27]
        default:
            var scalarValue: UInt32?
            if body.hasPrefix("#x") || body.hasPrefix("#X") { scalarValue = UInt32(body.dropFirst(2), radix: 16) }
            else if body.hasPrefix("#") { scalarValue = UInt32(body.dropFirst()) }
            guard let scalarValue, let scalar = Unicode.Scalar(scalarValue) else {
                position = start
                throw fail("unknown entity &\(body);")
            }
            return Array(String(Character(scalar)).utf8)
        }
    }
}
