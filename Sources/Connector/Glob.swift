/// Shell-style patterns: `*` any run, `?` one character, case-insensitive.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        // Without wildcards a pattern is a part of the name.
        if !pattern.contains("*") && !pattern.contains("?") { return text.lowercased().contains(pattern.lowercased()) }
        let pattern = Array(pattern.lowercased()), text = Array(text.lowercased())
        var memo: [[Bool?]] = Array(repeating: Array(repeating: nil, count: text.count + 1), count: pattern.count + 1)
        func match(_ p: Int, _ t: Int) -> Bool {
            if let known = memo[p][t] { return known }
            let result: Bool
            if p == pattern.count { result = t == text.count }
            else if pattern[p] == "*" { result = match(p + 1, t) || (t < text.count && match(p, t + 1)) }
            else { result = t < text.count && (pattern[p] == "?" || pattern[p] == text[t]) && match(p + 1, t + 1) }
            memo[p][t] = result
            return result
        }
        return match(0, 0)
    }
}
