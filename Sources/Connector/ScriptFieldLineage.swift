/// Field-level lineage read from a load script: `LOAD OrderID, Amount AS Revenue FROM [lib://DataFiles/orders.csv]`
/// makes the app's OrderID a copy of the file's OrderID and its Revenue a copy of the file's Amount. Only plain
/// field names count: an expression (`Year(OrderDate) AS Year`), a string or `*` says nothing certain of fields.
extension ScriptLineage {
    /// One field of the app and the source fields it is copied from (several when tables loaded from several
    /// sources share the field, as keys do).
    public struct FieldLineage: Sendable, Equatable, Codable {
        public var field: String
        public var inputs: [InputField]

        public init(field: String, inputs: [InputField]) {
            self.field = field
            self.inputs = inputs
        }
    }

    /// A source's field: `dataset` is the source as `reads` names it.
    public struct InputField: Sendable, Equatable, Codable {
        public var dataset: String
        public var field: String

        public init(dataset: String, field: String) {
            self.dataset = dataset
            self.field = field
        }
    }

    /// A statement's plain fields, as (the app's field, the source field), and its source: nil unless it is a
    /// `LOAD`/`SELECT` with a field list and a `FROM`.
    static func fieldLoad(_ statement: String) -> (fields: [(field: String, input: String)], source: String, isSQL: Bool)? {
        let words = fieldListTokens(statement)
        guard let verb = words.firstIndex(where: { ["LOAD", "SELECT"].contains($0.uppercased()) }),
              let from = words[(verb + 1)...].firstIndex(where: { $0.uppercased() == "FROM" }), from + 1 < words.count
        else { return nil }
        let isSQL = words[..<verb].contains { $0.uppercased() == "SQL" } || words[verb].uppercased() == "SELECT"
        var list = Array(words[(verb + 1)..<from])
        if list.first?.uppercased() == "DISTINCT" { list.removeFirst() }
        var items: [[String]] = [[]]
        for word in list {
            if word == "," { items.append([]) } else { items[items.count - 1].append(word) }
        }
        var fields: [(field: String, input: String)] = []
        for item in items {
            let hasAlias = item.count >= 3 && item[item.count - 2].uppercased() == "AS"
            let expression = hasAlias ? Array(item.dropLast(2)) : item
            guard expression.count == 1, let input = plainFieldName(expression[0]) else { continue }
            // A database answers a qualified column (o.Amount) under its own name.
            let unaliased = isSQL && !expression[0].hasPrefix("[") && !expression[0].hasPrefix("\"") ? String(input.split(separator: ".").last ?? Substring(input)) : input
            let name = hasAlias ? unquote(item[item.count - 1]) : unaliased
            if !name.isEmpty { fields.append((name, input)) }
        }
        return (fields, sourceName(words[from + 1]), isSQL)
    }

    /// The field a lone token names: a bracketed, double-quoted or back-quoted name, or a bare identifier; nil for
    /// `*`, a number, a 'string' or an expression.
    static func plainFieldName(_ token: String) -> String? {
        guard let first = token.first else { return nil }
        if first == "[" || first == "\"" || first == "`" {
            let closing: Character = first == "[" ? "]" : first
            guard token.count >= 2, token.last == closing, !token.dropFirst().dropLast().contains(closing) else { return nil }
            return String(token.dropFirst().dropLast())
        }
        let allowed = Set("_.$#@%")
        guard first.isLetter || first == "_" || first == "@" || first == "#",
              token.allSatisfy({ $0.isLetter || $0.isNumber || allowed.contains($0) }) else { return nil }
        return token
    }

    /// The source after FROM, without its quotes and without a file format spec written against it (`[x.csv](txt)`).
    static func sourceName(_ token: String) -> String {
        if let first = token.first, first == "[" || first == "'" || first == "\"" || first == "`" {
            let closing: Character = first == "[" ? "]" : first
            if let end = token.dropFirst().firstIndex(of: closing) { return String(token[token.index(after: token.startIndex)..<end]) }
            return token
        }
        return String(token.prefix { $0 != "(" })
    }

    /// Words with quoted, bracketed and parenthesized text kept whole (so `Sum(a, b)` is one word), and each comma
    /// between them a word of its own.
    static func fieldListTokens(_ statement: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var characters = Array(statement)[...]
        func flush() {
            if !current.isEmpty { tokens.append(current); current = "" }
        }
        /// Appends text up to and including `closing`, quotes and nested parentheses inside it kept whole.
        func take(until closing: Character) {
            while let next = characters.popFirst() {
                current.append(next)
                if next == closing { return }
                if closing == ")" {
                    switch next {
                    case "(": take(until: ")")
                    case "[": take(until: "]")
                    case "'", "\"", "`": take(until: next)
                    default: break
                    }
                }
            }
        }
        while let character = characters.popFirst() {
            switch character {
            case "[": current.append(character); take(until: "]")
            case "'", "\"", "`": current.append(character); take(until: character)
            case "(": current.append(character); take(until: ")")
            case ",": flush(); tokens.append(",")
            default:
                if character.isWhitespace { flush() } else { current.append(character) }
            }
        }
        flush()
        return tokens
    }

    mutating func addFields(_ loaded: [(field: String, input: String)], from source: String) {
        guard !loaded.isEmpty else { return }
        var all = fields ?? []
        for (field, input) in loaded {
            let entry = InputField(dataset: source, field: input)
            if let index = all.firstIndex(where: { $0.field == field }) {
                if !all[index].inputs.contains(entry) { all[index].inputs.append(entry) }
            } else {
                all.append(FieldLineage(field: field, inputs: [entry]))
            }
        }
        fields = all
    }
}
