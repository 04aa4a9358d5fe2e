import Foundation

/// Where a load script's data comes from, statement by statement, as the
/// engine's `GetLineage` reports it: the file (or `INLINE`, `RESIDENT table`)
/// each LOAD reads, with the statement that reads it.
enum ScriptSources {
    struct Source: Equatable {
        let discriminator: String
        let statement: String
    }

    /// Brackets and quotes, by the character that closes them.
    private static let closers: [Character: Character] = ["[": "]", "\"": "\"", "'": "'"]

    static func lineage(of script: String) -> [Source] {
        statements(withoutComments(script)).compactMap { statement in
            let words = statement.split(whereSeparator: \.isWhitespace)
            guard let from = words.lastIndex(where: { ["from", "resident"].contains($0.lowercased()) }) else {
                return words.contains { $0.lowercased().hasPrefix("inline") } ? Source(discriminator: "INLINE", statement: statement) : nil
            }
            if words[from].lowercased() == "resident", from + 1 < words.count {
                return Source(discriminator: "RESIDENT " + words[from + 1].trimmingCharacters(in: CharacterSet(charactersIn: "[]\"")), statement: statement)
            }
            // The source follows FROM: a bracketed or quoted path (spaces allowed) or one word.
            guard let range = statement.range(of: #"(?i)\bfrom\s+"#, options: [.regularExpression, .backwards]) else { return nil }
            let rest = statement[range.upperBound...]
            let source: Substring
            if let open = rest.first, let close = closers[open], let end = rest.dropFirst().firstIndex(of: close) {
                source = rest[rest.index(after: rest.startIndex)..<end]
            } else {
                source = rest.prefix { !$0.isWhitespace && $0 != "(" }
            }
            return source.isEmpty ? nil : Source(discriminator: String(source), statement: statement)
        }
    }

    /// The script without `//` and `/* */` comments (a `//` inside brackets or quotes, as in `lib://`, is no comment).
    private static func withoutComments(_ script: String) -> String {
        var result = "", closing: Character?, characters = Array(script), index = 0
        while index < characters.count {
            let character = characters[index], next = index + 1 < characters.count ? characters[index + 1] : nil
            if let end = closing {
                if character == end { closing = nil }
                result.append(character)
            } else if character == "/" && next == "/" {
                while index < characters.count && characters[index] != "\n" { index += 1 }
                continue
            } else if character == "/" && next == "*" {
                index += 2
                while index + 1 < characters.count && !(characters[index] == "*" && characters[index + 1] == "/") { index += 1 }
                index += 2
                continue
            } else {
                if let end = closers[character] { closing = end }
                result.append(character)
            }
            index += 1
        }
        return result
    }

    /// Statements end at `;` outside brackets and quotes (an INLINE table's rows are inside its brackets).
    private static func statements(_ script: String) -> [String] {
        var statements: [String] = [], current = "", closing: Character?
        for character in script {
            if let end = closing {
                if character == end { closing = nil }
            } else if character == ";" {
                statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
                continue
            } else if let end = closers[character] {
                closing = end
            }
            current.append(character)
        }
        statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
        return statements.filter { !$0.isEmpty }
    }
}
