import Foundation

/// The rule the seed page gives for connection names, shared by every named
/// thing a user types (organizations, runtime environments, connections):
/// letters and digits of any script, spaces, and `_ . + - ,`; 1 to 255
/// characters as a person counts them (grapheme clusters), trimmed.
enum NameRules {
    static let maximumLength = 255
    static let allowedPunctuation: Set<Character> = ["_", ".", "+", "-", ","]
    static let allowedDescription = "letters, digits, spaces and the characters _ . + - ,"

    /// Returns the trimmed name, or the first rule it breaks.
    static func validate(_ raw: String) -> Result<String, NameProblem> {
        let trimmed = raw.trimmingSpaces()
        if trimmed.isEmpty { return .failure(.blank) }
        let length = trimmed.count
        if length > maximumLength { return .failure(.tooLong(length: length, maximum: maximumLength)) }
        if let bad = trimmed.first(where: { !isAllowed($0) }) {
            return .failure(.forbiddenCharacter(bad))
        }
        return .success(trimmed)
    }

    /// A key under which two names that differ only in case are equal.
    /// Full Unicode case folding (ß and ss, ς and σ compare equal), on the
    /// canonical composition so ä typed either way is one letter.
    static func comparisonKey(_ name: String) -> String {
        name.precomposedStringWithCanonicalMapping
            .folding(options: [.caseInsensitive], locale: nil)
            .precomposedStringWithCanonicalMapping
    }

    /// A key under which two names that look the same are equal: "Sales A"
    /// with a Latin, Cyrillic or fullwidth A. The UTS #39 confusable skeleton
    /// of the name in compatibility form (NFKC: fullwidth letters, ligatures
    /// and superscripts as their plain letters, a step confusables.txt leaves
    /// to the caller), case-folded, and the skeleton again: the first pass
    /// while capitals are capitals (Cyrillic В is B, its small в is not b),
    /// the second for what folding brings (0 stands for O, which folds to o).
    /// Broader than the comparison key: 1, l and I are one letter here, as
    /// they are to a reader; and a run of spaces is one space, as HTML shows
    /// it ("Sales  A" is drawn exactly as "Sales A").
    static func lookalikeKey(_ name: String) -> String {
        let first = comparisonKey(ConfusableSkeleton.of(name.precomposedStringWithCompatibilityMapping))
        return collapsingSpaces(comparisonKey(ConfusableSkeleton.of(first)))
    }

    /// Each run of whitespace as one space, none at either end.
    static func collapsingSpaces(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func isAllowed(_ character: Character) -> Bool {
        if character == " " || allowedPunctuation.contains(character) { return true }
        // A letter or digit, possibly followed by combining marks (ä written
        // as a + U+0308, Devanagari vowel signs); never an emoji or symbol.
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return false }
        // Emoji that Unicode files under letters or digits (ℹ, keycaps) are still emoji.
        if first.properties.isEmoji && !first.isASCII { return false }
        switch first.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber:
            break
        default:
            return false
        }
        return scalars.dropFirst().allSatisfy { scalar in
            switch scalar.properties.generalCategory {
            // Variation selectors turn the character into an emoji; enclosing marks draw symbols.
            case .nonspacingMark, .spacingMark: return !scalar.properties.isVariationSelector
            default: return false
            }
        }
    }
}

/// The case folding names are compared with, for searching by a fragment of a name.
public func nameComparisonKey(_ text: String) -> String { NameRules.comparisonKey(text) }

/// The key under which names that look alike are equal (see ``ConnectionName/lookalikeKey``), for a name as stored.
public func nameLookalikeKey(_ text: String) -> String { NameRules.lookalikeKey(text) }

/// Why a name was refused.
public enum NameProblem: Error, Equatable, Sendable {
    case blank
    case tooLong(length: Int, maximum: Int)
    case forbiddenCharacter(Character)

    func message(for thing: String) -> String {
        switch self {
        case .blank:
            return "\(thing) is required and cannot be blank."
        case .tooLong(let length, let maximum):
            return "\(thing) is \(length) characters long; the maximum is \(maximum)."
        case .forbiddenCharacter(let character):
            return "\(thing) contains \(character.visibleDescription), which is not allowed; use \(NameRules.allowedDescription)."
        }
    }
}

extension String {
    /// Trims ASCII spaces only: tabs and newlines are not spaces to trim but
    /// forbidden characters to report.
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}

extension Character {
    /// How to show a character in an error so that invisible ones are visible.
    var visibleDescription: String {
        switch self {
        case "\t": return "a tab"
        case "\n", "\r\n", "\r": return "a line break"
        default:
            let codes = unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true).leftPadded(to: 4) }
            if unicodeScalars.allSatisfy({ $0.properties.generalCategory == .control || $0.properties.isWhitespace }) {
                return codes.joined(separator: " ")
            }
            return "'\(self)' (\(codes.joined(separator: " ")))"
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
