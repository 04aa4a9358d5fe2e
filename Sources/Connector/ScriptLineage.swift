/// What a load script reads and writes, found by reading its statements:
/// `LOAD ... FROM <source>`, `STORE <table> INTO <target>`, `LIB CONNECT TO
/// '<connection>'` and, after it, `SQL SELECT ... FROM <table>`. Comments and
/// quoted text are skipped, so a `FROM` inside a string is not a source.
public struct ScriptLineage: Sendable, Equatable, Codable {
    /// Where this lineage comes from, as the catalog labels it beside Qlik's own graph (``QlikLineage``).
    public var source: String? = "script-parser"
    public var reads: [String] = []
    public var stores: [String] = []
    public var connections: [String] = []
    /// Field level: each app field a plain `LOAD <fields> FROM` (or `SQL SELECT`) copies from its source, under its
    /// own name or an `AS` rename; absent when the script has none (`LOAD *` and expressions say nothing of fields).
    public var fields: [FieldLineage]?

    public init(script: String) {
        var connection: String?
        for statement in Self.statements(script) {
            if let load = Self.fieldLoad(statement) {
                let source = load.isSQL ? connection.map { "\($0):\(load.source)" } : load.source
                if let source { addFields(load.fields, from: source) }
            }
            let words = Self.tokens(statement)
            var index = 0
            while index < words.count {
                let word = words[index].uppercased()
                if word == "LIB", index + 3 < words.count, words[index + 1].uppercased() == "CONNECT", words[index + 2].uppercased() == "TO" {
                    let name = Self.unquote(words[index + 3])
                    connection = name
                    if !connections.contains(name) { connections.append(name) }
                    index += 4
                    continue
                }
                if word == "STORE", let into = words[(index + 1)...].firstIndex(where: { $0.uppercased() == "INTO" }), into + 1 < words.count {
                    add(&stores, Self.unquote(words[into + 1]))
                    index = into + 2
                    continue
                }
                if word == "FROM", index + 1 < words.count {
                    let source = Self.unquote(words[index + 1])
                    // The statement's verb, after any table label ("T:").
                    let verb = words.first { !$0.hasSuffix(":") }?.uppercased()
                    let isSQL = verb == "SQL" || verb == "SELECT"
                    if isSQL, let connection {
                        add(&reads, "\(connection):\(source)")
                    } else if !isSQL {
                        add(&reads, source)
                    }
                    index += 2
                    continue
                }
                index += 1
            }
        }
    }

    private func add(_ list: inout [String], _ item: String) {
        if !item.isEmpty, !list.contains(item) { list.append(item) }
    }

    /// The data file a `lib://DataFiles/<name>` path names, if it is one.
    public static func dataFileName(_ path: String) -> String? {
        let lowered = path.lowercased()
        for prefix in ["lib://datafiles/", "lib://datafiles:"] where lowered.hasPrefix(prefix) {
            return String(path.dropFirst(prefix.count))
        }
        return nil
    }

    /// Statements split at semicolons outside quotes, brackets and comments, comments dropped.
    static func statements(_ script: String) -> [String] {
        var result: [String] = []
        var current = ""
        var characters = Array(script)[...]
        var quote: Character?
        var bracket = false
        while let character = characters.popFirst() {
            if let open = quote {
                current.append(character)
                if character == open { quote = nil }
            } else if bracket {
                current.append(character)
                if character == "]" { bracket = false }
            } else if character == "/", characters.first == "/" {
                while let next = characters.first, next != "\n" { characters.removeFirst() }
            } else if character == "/", characters.first == "*" {
                characters.removeFirst()
                while let next = characters.popFirst() {
                    if next == "*", characters.first == "/" { characters.removeFirst(); break }
                }
                current.append(" ")
            } else if character == "'" || character == "\"" {
                quote = character
                current.append(character)
            } else if character == "[" {
                bracket = true
                current.append(character)
            } else if character == ";" {
                result.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { result.append(current) }
        return result
    }

    /// Words, with quoted and bracketed text kept whole.
    static func tokens(_ statement: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var closing: Character?
        for character in statement {
            if let end = closing {
                current.append(character)
                if character == end {
                    closing = nil
                    tokens.append(current)
                    current = ""
                }
            } else if character == "'" || character == "\"" || character == "[" {
                if !current.isEmpty { tokens.append(current); current = "" }
                closing = character == "[" ? "]" : character
                current.append(character)
            } else if character.isWhitespace || character == "," || character == "(" || character == ")" {
                if !current.isEmpty { tokens.append(current); current = "" }
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    static func unquote(_ token: String) -> String {
        guard let first = token.first, let last = token.last, token.count >= 2 else { return token }
        if (first == "[" && last == "]") || (first == "'" && last == "'") || (first == "\"" && last == "\"") {
            return String(token.dropFirst().dropLast())
        }
        return token
    }
}

import Foundation
