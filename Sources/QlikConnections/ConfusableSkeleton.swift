import Foundation

/// The UTS #39 confusable skeleton: two strings that look the same ("Sales A"
/// with a Latin, a Cyrillic or a fullwidth A) have the same skeleton. NFD,
/// each code point mapped to its prototype (``ConfusablePrototypes``), NFD
/// again. Meant for comparing, never for showing.
public enum ConfusableSkeleton {
    public static func of(_ text: String) -> String {
        var mapped = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            if let prototype = prototypes[scalar] { mapped.append(contentsOf: prototype) } else { mapped.append(scalar) }
        }
        return String(mapped).decomposedStringWithCanonicalMapping
    }

    /// Read once from the generated table, on first use.
    static let prototypes: [Unicode.Scalar: [Unicode.Scalar]] = {
        var prototypes: [Unicode.Scalar: [Unicode.Scalar]] = [:]
        for entry in ConfusablePrototypes.table.split(whereSeparator: { $0 == ";" || $0.isWhitespace && $0 != " " }) {
            let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let key = scalar(parts[0]) else { continue }
            prototypes[key] = parts[1].split(separator: " ").compactMap(scalar)
        }
        return prototypes
    }()

    private static func scalar(_ hex: Substring) -> Unicode.Scalar? {
        UInt32(hex, radix: 16).flatMap(Unicode.Scalar.init)
    }
}
