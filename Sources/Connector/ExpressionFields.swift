/// The field names a Qlik expression refers to: `Sum([Sales Amount])` ->
/// Sales Amount, `Count(DISTINCT OrderID)` -> OrderID, `Region` -> Region,
/// `Sum({<Year={2024}>} Sales)` -> Year, Sales. Names in brackets, double
/// quotes or backticks are taken whole; bare words are names unless a `(`
/// follows (a function) or they are one of the expression language's words.
/// Quoted text ('EU'), numbers, values inside a set's element list and
/// dollar expansions `$(...)` are not names. When the app's fields are
/// known, only names among them are kept, so what a parse cannot tell apart
/// (an alias, a label) is not reported as a field.
public enum ExpressionFields {
    public static func names(in expression: String, knownFields: Set<String>? = nil) -> [String] {
        var found: [String] = []
        func add(_ name: String) {
            let name = name.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !found.contains(name) else { return }
            if let knownFields, !knownFields.contains(name) { return }
            found.append(name)
        }
        let characters = Array(expression.hasPrefix("=") ? String(expression.dropFirst()) : expression)
        var index = 0
        // Inside `{<Field={values}>}` the values are not names: depth of `{` after a set modifier's `=`.
        var valueDepth = 0
        var afterModifierEquals = false
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "'":
                index = closing(characters, from: index, "'")
            case "$" where index + 1 < characters.count && characters[index + 1] == "(":
                index = closing(characters, from: index + 1, ")")
            case "[", "\"", "`":
                let end = closing(characters, from: index, character == "[" ? "]" : character)
                if valueDepth == 0 { add(String(characters[(index + 1)..<max(index + 1, end - 1)]).replacingOccurrences(of: "]]", with: "]")) }
                index = end
                afterModifierEquals = false
            case "{":
                if afterModifierEquals || valueDepth > 0 { valueDepth += 1 }
                afterModifierEquals = false
                index += 1
            case "}":
                if valueDepth > 0 { valueDepth -= 1 }
                index += 1
            case "=", "+", "-", "*", "/":
                // `Year={2024}`, `Year+={2025}`, `Year-={...}`: a set modifier's values follow.
                afterModifierEquals = character == "=" || (index + 1 < characters.count && characters[index + 1] == "=")
                index += 1
            default:
                if character.isNumber {
                    // A number (1.5e3) is not a name.
                    while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "." { index += 1 }
                } else if character.isLetter || character == "_" || character == "@" || character == "#" || character == "%" {
                    var end = index
                    while end < characters.count, characters[end].isLetter || characters[end].isNumber || "_@#%.".contains(characters[end]) { end += 1 }
                    let word = String(characters[index..<end])
                    var next = end
                    while next < characters.count, characters[next] == " " { next += 1 }
                    let isFunction = next < characters.count && characters[next] == "("
                    if valueDepth == 0, !isFunction, !keywords.contains(word.uppercased()) { add(word) }
                    index = end
                    afterModifierEquals = false
                } else {
                    if !character.isWhitespace, character != "<" { afterModifierEquals = false }
                    index += 1
                }
            }
        }
        return found
    }

    /// The index just after the `close` that ends the quoted or bracketed run starting at `start`; a doubled `close` is an escaped one.
    private static func closing(_ characters: [Character], from start: Int, _ close: Character) -> Int {
        var index = start + 1
        var depth = 1
        let open = characters[start]
        while index < characters.count {
            if characters[index] == close {
                if close != ")", index + 1 < characters.count, characters[index + 1] == close { index += 2; continue }
                depth -= 1
                if depth == 0 { return index + 1 }
            } else if close == ")", characters[index] == open {
                depth += 1
            }
            index += 1
        }
        return characters.count
    }

    /// Words of Qlik's expression language that are not names.
    static let keywords: Set<String> = ["DISTINCT", "TOTAL", "ALL", "NODISTINCT", "AND", "OR", "NOT", "XOR", "LIKE", "PRECEDES", "FOLLOWS",
                                        "BITAND", "BITOR", "BITXOR", "BITNOT", "NULL", "TRUE", "FALSE", "$", "1"]
}
