import Testing
@testable import QlikConnections

@Suite("Connection Name rules of the seed page")
struct ConnectionNameTests {
    @Test("accepts 255 characters and refuses 256")
    func lengthBoundary() throws {
        #expect(try ConnectionName(String(repeating: "a", count: 255)).value.count == 255)
        let error = #expect(throws: ConnectionValidationError.self) { try ConnectionName(String(repeating: "a", count: 256)) }
        #expect(error?.description.contains("256 characters long; the maximum is 255") == true)
    }

    @Test("counts characters as a person does, not bytes or code points")
    func countsGraphemes() throws {
        // "é" written as e + U+0301: 255 characters, 510 code points, 765 UTF-8 bytes.
        let decomposed = String(repeating: "e\u{301}", count: 255)
        #expect(try ConnectionName(decomposed).value.count == 255)
        #expect(throws: ConnectionValidationError.self) { try ConnectionName(decomposed + "e\u{301}") }
    }

    @Test("accepts each allowed special character", arguments: ["_", ".", "+", "-", ","])
    func allowedSpecials(_ special: String) throws {
        #expect(try ConnectionName("sales\(special)eu").value == "sales\(special)eu")
    }

    @Test("accepts letters and digits of any script", arguments: ["Verkäufe EU", "Продажи 2024", "売上 データ", "मराठी", "Ventes_Q1.2025,+v2-final"])
    func anyScript(_ name: String) throws {
        #expect(try ConnectionName(name).value == name)
    }

    @Test("refuses characters outside the rule", arguments: [
        "/", "@", "#", ":", ";", "'", "\"", "\\", "\t", "\n", "😀", "é😀", "%", "*", "(", "\u{0}",
        "1\u{FE0F}\u{20E3}", "\u{2139}\u{FE0F}", "\u{2139}", "a\u{20DD}", "\u{00A0}", "\u{3000}", "\u{200B}", "🇪🇺",
    ])
    func rejectedCharacters(_ bad: String) {
        let error = #expect(throws: ConnectionValidationError.self) { try ConnectionName("sales\(bad)eu") }
        #expect(error?.problems.first?.field == .name)
        #expect(error?.description.contains("letters, digits, spaces and the characters _ . + - ,") == true)
    }

    @Test("refuses blank names", arguments: ["", " ", "     "])
    func blank(_ name: String) {
        let error = #expect(throws: ConnectionValidationError.self) { try ConnectionName(name) }
        #expect(error?.description.contains("required and cannot be blank") == true)
    }

    @Test("stores the name trimmed, and trims before counting")
    func trims() throws {
        #expect(try ConnectionName("  Sales EU  ").value == "Sales EU")
        #expect(try ConnectionName(" " + String(repeating: "b", count: 255) + " ").value.count == 255)
    }

    @Test("compares names without regard to case or Unicode spelling")
    func caseInsensitiveKey() throws {
        #expect(try ConnectionName("Verkäufe EU").comparisonKey == ConnectionName("VERKÄUFE eu").comparisonKey)
        #expect(try ConnectionName("Verka\u{308}ufe").comparisonKey == ConnectionName("Verkäufe").comparisonKey)
        #expect(try ConnectionName("Sales EU").comparisonKey != ConnectionName("Sales EU2").comparisonKey)
        // Full case folding, not per-letter lower-casing.
        #expect(try ConnectionName("Straße").comparisonKey == ConnectionName("STRASSE").comparisonKey)
        #expect(try ConnectionName("ΟΔΟΣ").comparisonKey == ConnectionName("οδος").comparisonKey)
    }
}

@Suite("Description rule of the seed page")
struct ConnectionDescriptionTests {
    @Test("accepts 4000 characters and refuses 4001")
    func lengthBoundary() throws {
        #expect(try ConnectionDescription(String(repeating: "d", count: 4000))?.value.count == 4000)
        let error = #expect(throws: ConnectionValidationError.self) { try ConnectionDescription(String(repeating: "d", count: 4001)) }
        #expect(error?.problems.first?.field == .description)
        #expect(error?.description.contains("4001 characters long; the maximum is 4000") == true)
    }

    @Test("is optional: empty means none")
    func optional() throws {
        #expect(try ConnectionDescription("") == nil)
    }

    @Test("keeps any text, line breaks included")
    func anyText() throws {
        #expect(try ConnectionDescription("Line 1\nLine 2: /@#")?.value == "Line 1\nLine 2: /@#")
    }
}
