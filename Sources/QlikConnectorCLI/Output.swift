import Foundation

/// Prints results: JSON for scripts, aligned text for people.
enum Output {
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Rows under a header, columns padded to the widest cell as a person counts characters.
    static func table(_ header: [String], _ rows: [[String]]) {
        let rows = rows.map { $0.map(\.printable) }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { cell, width in cell + String(repeating: " ", count: width - cell.count) }
                .joined(separator: "  ").trimmingSpacesAtEnd()
        }
        print(line(header))
        rows.forEach { print(line($0)) }
    }

    /// Label and value pairs, labels aligned.
    static func fields(_ pairs: [(String, String)]) {
        let width = pairs.map(\.0.count).max() ?? 0
        for (label, value) in pairs {
            print(label + String(repeating: " ", count: width - label.count) + "  " + value.printable)
        }
    }

    static let timestampFormat: Date.ISO8601FormatStyle = .iso8601

    static func timestamp(_ date: Date) -> String { date.formatted(timestampFormat) }
}

extension String {
    /// Text stored by someone else (a description, say) shown without its
    /// control characters, so it cannot move the cursor or recolour the terminal.
    var printable: String {
        guard unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.flatMap { scalar -> [Unicode.Scalar] in
            if scalar == "\n" { return ["\u{21B5}"] }
            return scalar.properties.generalCategory == .control ? Array("\\u{\(String(scalar.value, radix: 16))}".unicodeScalars) : [scalar]
        }))
    }

    func trimmingSpacesAtEnd() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
