import Foundation
import Runtime

/// Prints results: JSON for scripts, aligned text for people.
enum Output {
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        Terminal.current.line(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Rows under a header, columns padded to the widest cell as a person counts characters.
    static func table(_ header: [String], _ rows: [[String]]) {
        let rows = rows.map { $0.map(\.printable) }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { cell, width in cell + String(repeating: " ", count: width - cell.count) }
                .joined(separator: "  ").trimmingSpacesAtEnd()
        }
        Terminal.current.line(line(header))
        rows.forEach { Terminal.current.line(line($0)) }
    }

    /// Label and value pairs, labels aligned.
    static func fields(_ pairs: [(String, String)]) {
        let width = pairs.map(\.0.count).max() ?? 0
        for (label, value) in pairs {
            Terminal.current.line(label + String(repeating: " ", count: width - label.count) + "  " + value.printable)
        }
    }

    static let timestampFormat: Date.ISO8601FormatStyle = .iso8601

    static func timestamp(_ date: Date) -> String { date.formatted(timestampFormat) }
}

extension String {
    /// Text stored or sent by someone else (a task's log line or error, a
    /// description, a name from the tenant) as the log handler writes it:
    /// every control character escaped (``LogEscaping/escape(_:)``), so it
    /// stays on its line and cannot move the cursor or recolour the terminal.
    var printable: String { LogEscaping.escape(self) }

    /// Text of many lines from someone else (a reload log): each line escaped as ``printable``, kept on lines of its own.
    var printableLines: String {
        split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { String($0).printable }.joined(separator: "\n")
    }

    func trimmingSpacesAtEnd() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
