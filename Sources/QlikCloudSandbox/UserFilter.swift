import Foundation

/// Qlik's `filter` for users (RFC 7644's filter syntax, the part Qlik documents): `attribute eq "value"` and
/// `attribute co "value"` (contains), joined by `and`/`or`, grouped by parentheses; case-insensitive.
/// `eq` works on id, subject, name, email, status, assignedRoles.id and assignedRoles.name; `co` on name, email and subject.
indirect enum UserFilter: Sendable {
    case compare(attribute: String, operator: String, value: String)
    case all([UserFilter])
    case any([UserFilter])

    static let equalityAttributes: Set = ["id", "subject", "name", "email", "status", "assignedroles.id", "assignedroles.name"]
    static let containsAttributes: Set = ["name", "email", "subject"]

    static func parse(_ text: String) throws(QlikErrorResponse) -> UserFilter {
        var parser = Parser(tokens: try tokenize(text))
        let filter = try parser.disjunction()
        guard parser.atEnd else { throw .badRequest("filter has more after a complete expression: '\(text)'.") }
        return filter
    }

    func matches(_ user: SandboxUser, roles: [UserView.Role]) -> Bool {
        switch self {
        case .all(let parts): return parts.allSatisfy { $0.matches(user, roles: roles) }
        case .any(let parts): return parts.contains { $0.matches(user, roles: roles) }
        case .compare(let attribute, let op, let value):
            let candidates: [String]
            switch attribute {
            case "id": candidates = [user.id]
            case "subject": candidates = [user.subject]
            case "name": candidates = [user.name]
            case "email": candidates = [user.email]
            case "status": candidates = [user.status]
            case "assignedroles.id": candidates = roles.map(\.id)
            default: candidates = roles.map(\.name)
            }
            return candidates.contains { op == "eq" ? $0.caseInsensitiveCompare(value) == .orderedSame : $0.localizedCaseInsensitiveContains(value) }
        }
    }

    private enum Token: Equatable { case word(String), text(String), open, close }

    private static func tokenize(_ text: String) throws(QlikErrorResponse) -> [Token] {
        var tokens: [Token] = []
        var characters = Array(text)[...]
        while let character = characters.first {
            if character.isWhitespace { characters = characters.dropFirst(); continue }
            if character == "(" { tokens.append(.open); characters = characters.dropFirst(); continue }
            if character == ")" { tokens.append(.close); characters = characters.dropFirst(); continue }
            if character == "\"" {
                var value = ""
                characters = characters.dropFirst()
                var closed = false
                while let next = characters.first {
                    characters = characters.dropFirst()
                    if next == "\\", let escaped = characters.first { value.append(escaped); characters = characters.dropFirst(); continue }
                    if next == "\"" { closed = true; break }
                    value.append(next)
                }
                guard closed else { throw .badRequest("filter has a string without its closing quote: '\(text)'.") }
                tokens.append(.text(value))
                continue
            }
            let word = characters.prefix { !$0.isWhitespace && $0 != "(" && $0 != ")" && $0 != "\"" }
            characters = characters.dropFirst(word.count)
            tokens.append(.word(String(word)))
        }
        return tokens
    }

    private struct Parser {
        var tokens: [Token]
        var position = 0
        /// Parentheses open around the current token: each recurses, and a client's filter could nest until the stack ends.
        var nesting = 0
        static let maximumNesting = 50
        var atEnd: Bool { position == tokens.count }

        mutating func keyword(_ word: String) -> Bool {
            guard position < tokens.count, case .word(let found) = tokens[position], found.lowercased() == word else { return false }
            position += 1
            return true
        }

        mutating func disjunction() throws(QlikErrorResponse) -> UserFilter {
            var parts = [try conjunction()]
            while keyword("or") { parts.append(try conjunction()) }
            return parts.count == 1 ? parts[0] : .any(parts)
        }

        mutating func conjunction() throws(QlikErrorResponse) -> UserFilter {
            var parts = [try primary()]
            while keyword("and") { parts.append(try primary()) }
            return parts.count == 1 ? parts[0] : .all(parts)
        }

        mutating func primary() throws(QlikErrorResponse) -> UserFilter {
            guard position < tokens.count else { throw .badRequest("filter ends where a comparison such as name eq \"Ann\" should be.") }
            if tokens[position] == .open {
                position += 1
                nesting += 1
                guard nesting <= Self.maximumNesting else { throw .badRequest("filter nests parentheses more than \(Self.maximumNesting) deep.") }
                defer { nesting -= 1 }
                let inner = try disjunction()
                guard position < tokens.count, tokens[position] == .close else { throw .badRequest("filter has a '(' without its ')'.") }
                position += 1
                return inner
            }
            guard position + 2 < tokens.count,
                  case .word(let attribute) = tokens[position], case .word(let op) = tokens[position + 1], case .text(let value) = tokens[position + 2] else {
                throw .badRequest("filter comparisons are attribute eq \"value\" or attribute co \"value\".")
            }
            position += 3
            let name = attribute.lowercased(), operation = op.lowercased()
            switch operation {
            case "eq" where UserFilter.equalityAttributes.contains(name), "co" where UserFilter.containsAttributes.contains(name):
                return .compare(attribute: name, operator: operation, value: value)
            default:
                throw .badRequest("filter cannot use '\(attribute) \(op)': eq works on id, subject, name, email, status, assignedRoles.id, assignedRoles.name; co on name, email, subject.")
            }
        }
    }
}
