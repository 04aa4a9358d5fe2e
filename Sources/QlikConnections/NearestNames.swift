/// The existing names closest to a mistyped one, for "did you mean" errors.
public enum NearestNames {
    public static func suggest(_ name: String, among candidates: [String], limit: Int = 3) -> [String] {
        let target = Array(name.lowercased())
        let ranked = candidates.map { candidate -> (String, Int) in
            let lowered = candidate.lowercased()
            // A name that contains the other is as near as a one-letter typo.
            let contains = !target.isEmpty && (lowered.contains(String(target)) || String(target).contains(lowered))
            return (candidate, contains ? 1 : distance(target, Array(lowered)))
        }
        let threshold = max(2, target.count / 3)
        return ranked.filter { $0.1 <= threshold }.sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.prefix(limit).map(\.0)
    }

    /// Levenshtein distance over characters.
    public static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// "Did you mean …? Existing: …" for a message.
    public static func hint(_ name: String, among candidates: [String]) -> String {
        let near = suggest(name, among: candidates)
        if !near.isEmpty { return "Did you mean \(near.map { "'\($0)'" }.joined(separator: " or "))?" }
        let listed = candidates.prefix(10).map { "'\($0)'" }.joined(separator: ", ")
        return candidates.isEmpty ? "There are none." : "Existing: \(listed)\(candidates.count > 10 ? ", …" : "")."
    }
}
