import Foundation
import QVD

/// A chart expression as the sandbox engine reads it (Evaluate, EvaluateEx,
/// measures): aggregations Sum, Count (also `Count(DISTINCT x)`), Avg, Min,
/// Max, Only and Concat over field expressions, numbers, 'texts', fields
/// (`Name` or `[Name with spaces]`), `+ - * /`, `&` (text join),
/// comparisons and `and`/`or`. Parsed once; evaluated over a scope of rows.
indirect enum ChartExpression: Equatable {
    case constant(QlikValue)
    case field(String)
    case negate(ChartExpression)
    case binary(String, ChartExpression, ChartExpression)
    case aggregate(String, distinct: Bool, ChartExpression, separator: ChartExpression?)

    struct SyntaxError: Error, Equatable {
        let message: String
    }

    static let aggregations: Set<String> = ["sum", "count", "avg", "min", "max", "only", "concat"]

    static func parse(_ text: String) throws(SyntaxError) -> ChartExpression {
        var trimmed = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        // A chart expression is often written as in a property, with a leading `=`.
        if trimmed.first == "=" { trimmed = trimmed.dropFirst() }
        var parser = Parser(tokens: try Lexer.tokens(String(trimmed)))
        guard !parser.tokens.isEmpty else { throw SyntaxError(message: "The expression is empty") }
        try Parser.checkSize(parser.tokens)
        let expression = try parser.orExpression()
        if let extra = parser.peek { throw SyntaxError(message: "Unexpected '\(extra.text)' after a complete expression") }
        return expression
    }

    /// Every field the expression names, in order of appearance, once each.
    var fields: [String] {
        var names: [String] = []
        func visit(_ expression: ChartExpression) {
            switch expression {
            case .constant: break
            case .field(let name): if !names.contains(name) { names.append(name) }
            case .negate(let inner): visit(inner)
            case .binary(_, let left, let right): visit(left); visit(right)
            case .aggregate(_, _, let inner, let separator): visit(inner); separator.map(visit)
            }
        }
        visit(self)
        return names
    }

    var hasAggregation: Bool {
        switch self {
        case .constant, .field: false
        case .negate(let inner): inner.hasAggregation
        case .binary(_, let left, let right): left.hasAggregation || right.hasAggregation
        case .aggregate: true
        }
    }

    // MARK: - Tokens

    struct Token: Equatable {
        enum Kind { case number, text, name, symbol }
        let kind: Kind
        let text: String
    }

    enum Lexer {
        static func tokens(_ source: String) throws(SyntaxError) -> [Token] {
            var tokens: [Token] = []
            let characters = Array(source)
            var position = 0
            while position < characters.count {
                let character = characters[position]
                if character.isWhitespace { position += 1; continue }
                if character.isNumber || (character == "." && position + 1 < characters.count && characters[position + 1].isNumber) {
                    var end = position
                    while end < characters.count, characters[end].isNumber || characters[end] == "." { end += 1 }
                    tokens.append(Token(kind: .number, text: String(characters[position..<end])))
                    position = end
                } else if character == "'" {
                    guard let close = characters[(position + 1)...].firstIndex(of: "'") else { throw SyntaxError(message: "A text opened with ' is not closed") }
                    tokens.append(Token(kind: .text, text: String(characters[(position + 1)..<close])))
                    position = close + 1
                } else if character == "[" || character == "\"" {
                    let closing: Character = character == "[" ? "]" : "\""
                    guard let close = characters[(position + 1)...].firstIndex(of: closing) else {
                        throw SyntaxError(message: "A field name opened with \(character) is not closed with \(closing)")
                    }
                    tokens.append(Token(kind: .name, text: String(characters[(position + 1)..<close])))
                    position = close + 1
                } else if character.isLetter || character == "_" || character == "$" || character == "%" || character == "#" {
                    var end = position
                    while end < characters.count, characters[end].isLetter || characters[end].isNumber || "_$%#.".contains(characters[end]) { end += 1 }
                    tokens.append(Token(kind: .name, text: String(characters[position..<end])))
                    position = end
                } else {
                    let two = position + 1 < characters.count ? String(characters[position...(position + 1)]) : ""
                    if ["<=", ">=", "<>"].contains(two) {
                        tokens.append(Token(kind: .symbol, text: two))
                        position += 2
                    } else if "+-*/&()=<>,".contains(character) {
                        tokens.append(Token(kind: .symbol, text: String(character)))
                        position += 1
                    } else {
                        throw SyntaxError(message: "Unexpected character '\(character)'")
                    }
                }
            }
            return tokens
        }
    }

    struct Parser {
        let tokens: [Token]
        var position = 0

        /// Parsing, evaluating and freeing an expression recurse once per level of its tree or of its parentheses, and
        /// a client sends any text: more values and operators than this (the tree's depth is at most their count), or
        /// parentheses nested deeper, are refused before they can exhaust the stack.
        static let maximumTerms = 1_000
        static let maximumNesting = 100

        /// Checks the expression's size without recursing.
        static func checkSize(_ tokens: [Token]) throws(SyntaxError) {
            var nesting = 0, terms = 0
            for token in tokens {
                switch (token.kind, token.text) {
                case (.symbol, "("):
                    nesting += 1
                    guard nesting <= maximumNesting else { throw SyntaxError(message: "The expression nests parentheses more than \(maximumNesting) deep") }
                case (.symbol, ")"): nesting -= 1
                case (.symbol, ","): break
                default:
                    terms += 1
                    guard terms <= maximumTerms else { throw SyntaxError(message: "The expression has more than \(maximumTerms) values and operators") }
                }
            }
        }

        init(tokens: [Token]) { self.tokens = tokens }

        var peek: Token? { position < tokens.count ? tokens[position] : nil }

        mutating func take(_ symbol: String) -> Bool {
            guard let token = peek, token.kind == .symbol || token.kind == .name, token.text.lowercased() == symbol else { return false }
            position += 1
            return true
        }

        mutating func orExpression() throws(SyntaxError) -> ChartExpression {
            var left = try andExpression()
            while take("or") { left = .binary("or", left, try andExpression()) }
            return left
        }

        mutating func andExpression() throws(SyntaxError) -> ChartExpression {
            var left = try comparison()
            while take("and") { left = .binary("and", left, try comparison()) }
            return left
        }

        mutating func comparison() throws(SyntaxError) -> ChartExpression {
            let left = try additive()
            for symbol in ["<=", ">=", "<>", "=", "<", ">"] where take(symbol) { return .binary(symbol, left, try additive()) }
            return left
        }

        mutating func additive() throws(SyntaxError) -> ChartExpression {
            var left = try multiplicative()
            while true {
                if take("+") { left = .binary("+", left, try multiplicative()) }
                else if take("-") { left = .binary("-", left, try multiplicative()) }
                else if take("&") { left = .binary("&", left, try multiplicative()) }
                else { return left }
            }
        }

        mutating func multiplicative() throws(SyntaxError) -> ChartExpression {
            var left = try unary()
            while true {
                if take("*") { left = .binary("*", left, try unary()) }
                else if take("/") { left = .binary("/", left, try unary()) }
                else { return left }
            }
        }

        mutating func unary() throws(SyntaxError) -> ChartExpression {
            if take("-") { return .negate(try unary()) }
            return try primary()
        }

        mutating func primary() throws(SyntaxError) -> ChartExpression {
            guard let token = peek else { throw SyntaxError(message: "The expression ends where a value was expected") }
            position += 1
            switch token.kind {
            case .number:
                guard let number = Double(token.text) else { throw SyntaxError(message: "'\(token.text)' is not a number") }
                return .constant(number == number.rounded() && abs(number) < 1e15 ? .integer(Int64(number)) : .double(number))
            case .text:
                return .constant(.text(token.text))
            case .symbol:
                guard token.text == "(" else { throw SyntaxError(message: "Unexpected '\(token.text)' where a value was expected") }
                let inner = try orExpression()
                guard take(")") else { throw SyntaxError(message: "A '(' is not closed") }
                return inner
            case .name:
                guard peek?.text == "(", peek?.kind == .symbol else { return .field(token.text) }
                let function = token.text.lowercased()
                guard ChartExpression.aggregations.contains(function) else {
                    throw SyntaxError(message: "Unknown function '\(token.text)': the sandbox engine evaluates Sum, Count, Avg, Min, Max, Only and Concat")
                }
                position += 1
                let distinct = take("distinct")
                let argument: ChartExpression
                if function == "count", peek?.text == "*" {
                    position += 1
                    argument = .constant(.integer(1))
                } else {
                    argument = try orExpression()
                }
                guard !argument.hasAggregation else { throw SyntaxError(message: "Nested aggregation in \(token.text)(): an aggregation's argument is evaluated per row") }
                var separator: ChartExpression?
                if take(",") {
                    guard function == "concat" else { throw SyntaxError(message: "\(token.text)() takes one argument") }
                    separator = try orExpression()
                }
                guard take(")") else { throw SyntaxError(message: "\(token.text)( is not closed with ')'") }
                return .aggregate(function, distinct: distinct, argument, separator: separator)
            }
        }
    }
}
