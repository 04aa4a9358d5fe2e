@testable import QlikConnections
import Testing

@Suite("UTS #39 confusable skeletons: names that look the same compare equal")
struct ConfusableSkeletonTests {
    @Test("'Sales A' in Latin, with a Cyrillic а, or fullwidth has one look-alike key; 'Sales B' another")
    func issueExamples() throws {
        let latin = try ConnectionName("Sales A").lookalikeKey
        #expect(try ConnectionName("S\u{430}les A").lookalikeKey == latin)
        #expect(try ConnectionName("\u{FF33}\u{FF41}\u{FF4C}\u{FF45}\u{FF53} \u{FF21}").lookalikeKey == latin)
        #expect(try ConnectionName("SALES A").lookalikeKey == latin)
        #expect(try ConnectionName("Sales B").lookalikeKey != latin)
    }

    @Test("a run of spaces inside a name is one space in the look-alike key, as HTML draws it; the comparison key keeps the name as typed")
    func runsOfSpaces() throws {
        let single = try ConnectionName("Sales A")
        for doubled in ["Sales  A", "Sales   A", "S\u{430}les    A", "  Sales  A  "] {
            #expect(try ConnectionName(doubled).lookalikeKey == single.lookalikeKey, "\(doubled)")
        }
        #expect(try ConnectionName("Sales  A").comparisonKey != single.comparisonKey)
        #expect(try ConnectionName("SalesA").lookalikeKey != single.lookalikeKey)
        #expect(nameLookalikeKey("Sales A") == "sales a")
    }

    @Test("every fullwidth letter and digit, and the Cyrillic and Greek letters drawn like Latin ones, take the Latin letter's key")
    func scripts() {
        let pairs = Array(zip(0xFF21...0xFF3A, 0x41...0x5A)) + Array(zip(0xFF41...0xFF5A, 0x61...0x7A)) + Array(zip(0xFF10...0xFF19, 0x30...0x39))
        for (wide, ascii) in pairs {
            #expect(nameLookalikeKey(String(UnicodeScalar(wide)!)) == nameLookalikeKey(String(UnicodeScalar(ascii)!)), "U+\(String(wide, radix: 16))")
        }
        let cyrillic: [(String, String)] = [("а", "a"), ("е", "e"), ("о", "o"), ("р", "p"), ("с", "c"), ("х", "x"), ("у", "y"), ("і", "i"), ("ј", "j"),
                                            ("ѕ", "s"), ("А", "A"), ("В", "B"), ("Е", "E"), ("К", "K"), ("М", "M"), ("Н", "H"), ("Т", "T")]
        let greek: [(String, String)] = [("ο", "o"), ("ν", "v"), ("Α", "A"), ("Β", "B"), ("Ε", "E"), ("Ζ", "Z"), ("Η", "H"), ("Κ", "K"), ("Ο", "O"),
                                         ("Ρ", "P"), ("Τ", "T"), ("Χ", "X")]
        for (lookalike, latin) in cyrillic + greek {
            #expect(nameLookalikeKey("x" + lookalike) == nameLookalikeKey("x" + latin), "\(lookalike) should pass for \(latin)")
        }
        // Letters that only resemble another in some fonts stay apart: Cyrillic д is not Latin d.
        #expect(nameLookalikeKey("д") != nameLookalikeKey("d"))
        // Decomposed and composed accents are one name.
        #expect(nameLookalikeKey("Ventes e\u{301}te\u{301}") == nameLookalikeKey("Ventes été"))
    }

    @Test("the generated table is read in full: one prototype per entry, the whole of Unicode's confusables")
    func tableReadInFull() {
        let entries = ConfusablePrototypes.table.filter { $0 == ";" }.count
        #expect(ConfusableSkeleton.prototypes.count == entries)
        // Unicode 16's confusables.txt maps well over 6,000 code points; a hand-made list would have a few dozen.
        #expect(entries > 6_000)
        #expect(ConfusableSkeleton.of("m") == "rn" && ConfusableSkeleton.of("\u{430}") == "a")
    }
}
