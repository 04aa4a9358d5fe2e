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

    /// `*` any run, `?` one character. Iterative, remembering only the last `*`: a client's pattern such as
    /// `*a*a*a*a*b` or thousands of `?` costs at most pattern × text steps and no stack.
    private static func glob(_ pattern: ArraySlice<Character>, _ text: ArraySlice<Character>) -> Bool {
        let pattern = Array(pattern), text = Array(text)
        var p = 0, t = 0
        var star: (pattern: Int, text: Int)?
        while t < text.count {
            if p < pattern.count, pattern[p] == "*" {
                star = (p, t)
                p += 1
            } else if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if let last = star {
                // The last `*` takes one more character and matching resumes after it.
                star = (last.pattern, last.text + 1)
                p = last.pattern + 1
                t = last.text + 1
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
