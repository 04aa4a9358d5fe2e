import Foundation
import QVD

/// Evaluates a ``ChartExpression`` over the rows in scope: the rows the
/// selections leave possible, or one hypercube row's group of them. An
/// aggregation runs over the rows of the table holding its fields; a field
/// outside an aggregation is read as Only(field).
struct ChartEvaluator {
    struct EvaluationError: Error, Equatable {
        let message: String
    }

    let index: AssociativeIndex
    /// Per table, its possible rows (nil: every row).
    let possibleRows: [[Bool]?]
    /// One table's rows standing in for its possible rows: a hypercube row's group.
    var group: (table: Int, rows: [Int])?

    init(index: AssociativeIndex, possibleRows: [[Bool]?], group: (table: Int, rows: [Int])? = nil) {
        self.index = index
        self.possibleRows = possibleRows
        self.group = group
    }

    /// The fields an expression names that are no field of the data model.
    static func unknownFields(_ expression: ChartExpression, in index: AssociativeIndex) -> [String] {
        expression.fields.filter { index.fieldNumber[$0] == nil }
    }

    func evaluate(_ expression: ChartExpression) throws(EvaluationError) -> QlikValue {
        switch expression {
        case .constant(let value): return value
        case .field: return try evaluate(.aggregate("only", distinct: false, expression, separator: nil))
        case .negate(let inner): return Self.arithmetic("-", .integer(0), try evaluate(inner))
        case .binary(let operation, let left, let right): return Self.combine(operation, try evaluate(left), try evaluate(right))
        case .aggregate(let function, let distinct, let argument, let separator):
            let values = try rowValues(argument)
            var text = ""
            if let separator { text = try evaluate(separator).displayText ?? "" }
            return Self.aggregate(function, distinct: distinct, values, separator: text)
        }
    }

    /// The argument of an aggregation, per row of the table that holds its fields.
    private func rowValues(_ argument: ChartExpression) throws(EvaluationError) -> [QlikValue] {
        let names = argument.fields
        if let unknown = Self.unknownFields(argument, in: index).first { throw EvaluationError(message: "Field not found: \(unknown)") }
        guard !names.isEmpty else { return [try Self.rowValue(argument) { _ in .null }] }
        let numbers = names.compactMap { index.fieldNumber[$0] }
        let candidates = index.tables.indices.filter { table in numbers.allSatisfy(index.tables[table].fields.contains) }
        guard let table = candidates.first(where: { $0 == group?.table }) ?? candidates.first else {
            throw EvaluationError(message: "The fields \(names.joined(separator: ", ")) are in different tables: an aggregation's fields must be in one table")
        }
        if index.fields[numbers[0]].isKey, numbers.count == 1, group == nil {
            // A key field belongs to no one table: its possible values are aggregated, each once, as the engine does.
            let field = index.fields[numbers[0]]
            let possible = AssociativeInference.possible(field: numbers[0], index: index, possibleRows: possibleRows)
            return try field.values.indices.filter { possible[$0] }.map { element throws(EvaluationError) in
                try Self.rowValue(argument) { _ in field.values[element] }
            }
        }
        let columns = Dictionary(uniqueKeysWithValues: numbers.map { number in
            (index.fields[number].name, index.tables[table].fields.firstIndex(of: number) ?? 0)
        })
        let rows: [Int]
        if let group, group.table == table {
            rows = group.rows
        } else if let possible = possibleRows[table] {
            rows = possible.indices.filter { possible[$0] }
        } else {
            rows = Array(0..<index.tables[table].rowCount)
        }
        let elements = index.tables[table].elements
        return try rows.map { row throws(EvaluationError) in
            try Self.rowValue(argument) { name in
                guard let column = columns[name] else { return .null }
                let element = elements[column][row]
                return element < 0 ? .null : index.fields[index.tables[table].fields[column]].values[Int(element)]
            }
        }
    }

    /// An aggregation's argument for one row, `value` reading the row's fields.
    private static func rowValue(_ expression: ChartExpression, _ value: (String) -> QlikValue) throws(EvaluationError) -> QlikValue {
        switch expression {
        case .constant(let constant): return constant
        case .field(let name): return value(name)
        case .negate(let inner): return arithmetic("-", .integer(0), try rowValue(inner, value))
        case .binary(let operation, let left, let right): return combine(operation, try rowValue(left, value), try rowValue(right, value))
        case .aggregate: throw EvaluationError(message: "Nested aggregation: an aggregation's argument is evaluated per row")
        }
    }

    static func aggregate(_ function: String, distinct: Bool, _ values: [QlikValue], separator: String) -> QlikValue {
        var present = values.filter { !$0.isNull }
        if distinct {
            var seen = Set<QlikValue>()
            present = present.filter { seen.insert($0).inserted }
        }
        let numbers = present.compactMap(number)
        switch function {
        case "sum": return result(numbers.reduce(0, +))
        case "count": return .integer(Int64(present.count))
        case "avg": return numbers.isEmpty ? .null : result(numbers.reduce(0, +) / Double(numbers.count))
        case "min": return numbers.min().map(result) ?? .null
        case "max": return numbers.max().map(result) ?? .null
        case "only": return Set(present).count == 1 ? present[0] : .null
        default: return .text(present.map { $0.displayText ?? "" }.sorted().joined(separator: separator))
        }
    }

    static func combine(_ operation: String, _ left: QlikValue, _ right: QlikValue) -> QlikValue {
        switch operation {
        case "&": return .text((left.displayText ?? "") + (right.displayText ?? ""))
        case "and": return truth(isTrue(left) && isTrue(right))
        case "or": return truth(isTrue(left) || isTrue(right))
        case "=", "<>", "<", "<=", ">", ">=":
            let order: ComparisonResult
            if let a = number(left), let b = number(right) {
                order = a < b ? .orderedAscending : (a > b ? .orderedDescending : .orderedSame)
            } else {
                order = (left.displayText ?? "").caseInsensitiveCompare(right.displayText ?? "")
            }
            switch operation {
            case "=": return truth(order == .orderedSame)
            case "<>": return truth(order != .orderedSame)
            case "<": return truth(order == .orderedAscending)
            case "<=": return truth(order != .orderedDescending)
            case ">": return truth(order == .orderedDescending)
            default: return truth(order != .orderedAscending)
            }
        default: return arithmetic(operation, left, right)
        }
    }

    static func arithmetic(_ operation: String, _ left: QlikValue, _ right: QlikValue) -> QlikValue {
        guard let a = number(left), let b = number(right) else { return .null }
        switch operation {
        case "+": return result(a + b)
        case "-": return result(a - b)
        case "*": return result(a * b)
        default: return b == 0 ? .null : result(a / b)
        }
    }

    /// A value's number; a text that reads as a number counts as one, as in Qlik arithmetic.
    static func number(_ value: QlikValue) -> Double? {
        if let number = value.number { return number }
        if case .text(let text) = value { return Double(text.trimmingCharacters(in: .whitespaces)) }
        return nil
    }

    private static func result(_ number: Double) -> QlikValue {
        number == number.rounded() && abs(number) < 1e15 ? .integer(Int64(number)) : .double(number)
    }

    /// Qlik's true is -1, false 0.
    private static func truth(_ condition: Bool) -> QlikValue { .integer(condition ? -1 : 0) }

    private static func isTrue(_ value: QlikValue) -> Bool { (number(value) ?? 0) != 0 }
}
