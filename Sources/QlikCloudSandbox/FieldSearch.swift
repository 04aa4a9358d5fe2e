import Foundation
import QVD

/// A search string as the engine's Field.Select reads it: `>10`, `<=5`
/// (numeric criteria), `*` and `?` wildcards, or a value's text; texts
/// match regardless of letter case.
struct FieldSearch {
    private enum Criterion {
        case compare(String, Double)
        case wildcard([Character])
        case text(String, Double?)
    }

    private let criterion: Criterion

    init(_ match: String) {
        let trimmed = match.trimmingCharacters(in: .whitespaces)
        for prefix in [">=", "<=", ">", "<"] where trimmed.hasPrefix(prefix) {
            if let number = Double(trimmed.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)) {
                criterion = .compare(prefix, number)
                return
            }
        }
        if trimmed.contains("*") || trimmed.contains("?") {
            criterion = .wildcard(Array(trimmed.lowercased()))
        } else {
            criterion = .text(trimmed.lowercased(), Double(trimmed))
        }
    }

    func matches(_ value: QlikValue) -> Bool {
        switch criterion {
        case .compare(let operation, let bound):
            guard let number = value.number else { return false }
            switch operation {
            case ">=": return number >= bound
            case "<=": return number <= bound
            case ">": return number > bound
            default: return number < bound
            }
        case .wildcard(let pattern):
            return Self.glob(pattern[...], Array((value.displayText ?? "").lowercased())[...])
        case .text(let text, let number):
            if let number, value.number == number { return true }
            return (value.displayText ?? "").lowercased() == text
        }
    }

    private static func glob(_ pattern: ArraySlice<Character>, _ text: ArraySlice<Character>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        if first == "*" {
            let rest = pattern.dropFirst()
            var candidate = text
            while true {
                if glob(rest, candidate) { return true }
                guard !candidate.isEmpty else { return false }
                candidate = candidate.dropFirst()
            }
        }
        guard let character = text.first, first == "?" || first == character else { return false }
        return glob(pattern.dropFirst(), text.dropFirst())
    }
}
