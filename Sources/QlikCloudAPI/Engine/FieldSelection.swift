import Foundation

/// A selection in one field, as a read makes it before reading: the field's
/// name and the values to select (at least one). Several selections narrow
/// each other, as selections do in Qlik's associative model.
///
/// Written `Field=value1,value2`. A value (or a field name) that holds a comma,
/// an '=' or a double quote, or starts or ends with spaces, goes in double
/// quotes, a double quote inside doubled: `Region="North, East",West`.
/// Unquoted names and values are trimmed of surrounding spaces.
public struct FieldSelection: Sendable, Equatable, Codable {
    public let field: String
    public let values: [String]

    /// Why a selection cannot be made as given.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    static let expectedForm = "expected FIELD=VALUE[,VALUE...], e.g. Region=EMEA,APAC (quote a value holding a comma or '=': Region=\"North, East\")"

    public init(field: String, values: [String]) throws(Invalid) {
        if field.isEmpty { throw Invalid(reason: "A selection names no field; \(Self.expectedForm).") }
        if values.isEmpty { throw Invalid(reason: "The selection in '\(field)' gives no value; \(Self.expectedForm).") }
        self.field = field
        self.values = values
    }

    /// Parses `Field=value1,value2` (see the type's comment for quoting).
    public init(parsing text: String) throws(Invalid) {
        var scanner = Scanner(text)
        let field = try scanner.token(stoppingAt: "=", in: text)
        guard scanner.skip("=") else {
            throw Invalid(reason: "'\(text)' has no '='; \(Self.expectedForm).")
        }
        guard !field.isEmpty else { throw Invalid(reason: "'\(text)' names no field before '='; \(Self.expectedForm).") }
        guard !scanner.atEnd else { throw Invalid(reason: "'\(text)' gives no value after '='; \(Self.expectedForm).") }
        var values: [String] = []
        repeat {
            let value = try scanner.token(stoppingAt: ",", in: text)
            if value.isEmpty, !scanner.lastWasQuoted {
                if values.isEmpty, scanner.atEnd { throw Invalid(reason: "'\(text)' gives no value after '='; \(Self.expectedForm).") }
                throw Invalid(reason: "'\(text)' has an empty value; \(Self.expectedForm) (an empty text is written \"\").")
            }
            values.append(value)
        } while scanner.skip(",")
        try self.init(field: field, values: values)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(field: try container.decode(String.self, forKey: .field), values: try container.decode([String].self, forKey: .values))
    }

    /// The selection as it is written on the command line (quoted where needed).
    public var written: String {
        Self.writtenToken(field) + "=" + values.map(Self.writtenToken).joined(separator: ",")
    }

    private static func writtenToken(_ token: String) -> String {
        let plain = !token.isEmpty && !token.contains(where: { $0 == "," || $0 == "=" || $0 == "\"" })
            && token.first?.isWhitespace != true && token.last?.isWhitespace != true
        return plain ? token : "\"" + token.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Reads quoted or plain tokens out of a selection's text.
    private struct Scanner {
        let characters: [Character]
        var position = 0
        var lastWasQuoted = false

        init(_ text: String) { characters = Array(text) }

        var atEnd: Bool { position >= characters.count }

        mutating func skip(_ character: Character) -> Bool {
            guard !atEnd, characters[position] == character else { return false }
            position += 1
            return true
        }

        /// A token up to `stop` (or the end): a quoted one exactly as quoted, a plain one trimmed.
        mutating func token(stoppingAt stop: Character, in text: String) throws(Invalid) -> String {
            while !atEnd, characters[position] == " " { position += 1 }
            lastWasQuoted = !atEnd && characters[position] == "\""
            guard lastWasQuoted else {
                let start = position
                while !atEnd, characters[position] != stop { position += 1 }
                return String(characters[start..<position]).trimmingCharacters(in: .whitespaces)
            }
            position += 1
            var token = ""
            while true {
                guard !atEnd else { throw Invalid(reason: "'\(text)' has a double quote that is not closed; \(expectedForm).") }
                let character = characters[position]
                position += 1
                if character == "\"" {
                    if !atEnd, characters[position] == "\"" {
                        token.append("\"")
                        position += 1
                        continue
                    }
                    break
                }
                token.append(character)
            }
            while !atEnd, characters[position] == " " { position += 1 }
            guard atEnd || characters[position] == stop else {
                throw Invalid(reason: "'\(text)' has text after a closing double quote; \(expectedForm) (a double quote inside quotes is doubled).")
            }
            return token
        }
    }
}
