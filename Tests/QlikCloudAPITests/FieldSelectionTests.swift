import QlikCloudAPI
import Testing

@Suite("Field selections as written on the command line")
struct FieldSelectionTests {
    static func parse(_ text: String) throws -> FieldSelection { try FieldSelection(parsing: text) }

    static func refusal(_ text: String) -> String {
        do {
            let parsed = try FieldSelection(parsing: text)
            return "parsed as \(parsed)"
        } catch {
            return error.description
        }
    }

    @Test("FIELD=V1,V2 gives the field and its values; spaces around unquoted names and values are dropped")
    func plain() throws {
        #expect(try Self.parse("Region=EMEA,APAC") == FieldSelection(field: "Region", values: ["EMEA", "APAC"]))
        #expect(try Self.parse(" Unit Price = 12.4 , 18.75 ") == FieldSelection(field: "Unit Price", values: ["12.4", "18.75"]))
    }

    @Test("a double-quoted value keeps commas, '=', spaces and doubled quotes; a quoted field may hold '='; \"\" is the empty text")
    func quoted() throws {
        #expect(try Self.parse(#"Region="North, East",West"#).values == ["North, East", "West"])
        #expect(try Self.parse(#"Formula="a=b"," padded ""#).values == ["a=b", " padded "])
        #expect(try Self.parse(#"Name="Say ""hi""""#).values == [#"Say "hi""#])
        #expect(try Self.parse(#""Net=Gross"=1"#) == FieldSelection(field: "Net=Gross", values: ["1"]))
        #expect(try Self.parse(#"City="""#).values == [""])
    }

    @Test("written quotes exactly what needs it, and parses back to the same selection")
    func written() throws {
        let selection = try FieldSelection(field: "Net=Gross", values: ["North, East", #"Say "hi""#, " x", "EMEA"])
        #expect(selection.written == #""Net=Gross"="North, East","Say ""hi"""," x",EMEA"#)
        #expect(try Self.parse(selection.written) == selection)
    }

    @Test("a missing '=', an empty field, no value, an empty value, an open quote and text after a quote are refused with the expected form")
    func refused() {
        #expect(Self.refusal("Region").hasPrefix("'Region' has no '='; expected FIELD=VALUE[,VALUE...]"))
        #expect(Self.refusal("=EMEA").hasPrefix("'=EMEA' names no field before '='"))
        #expect(Self.refusal("Region=").hasPrefix("'Region=' gives no value after '='"))
        #expect(Self.refusal("Region=EMEA,,APAC").hasPrefix("'Region=EMEA,,APAC' has an empty value") && Self.refusal("Region=EMEA,,APAC").contains(#"written """#))
        #expect(Self.refusal(#"Region="EMEA"#).hasPrefix(#"'Region="EMEA' has a double quote that is not closed"#))
        #expect(Self.refusal(#"Region="EM"EA"#).hasPrefix(#"'Region="EM"EA' has text after a closing double quote"#))
        #expect(Self.refusal("Region").contains(#"quote a value holding a comma or '=': Region="North, East""#))
    }

    @Test("a selection made in code needs a field and at least one value")
    func made() {
        #expect(throws: FieldSelection.Invalid.self) { try FieldSelection(field: "", values: ["x"]) }
        #expect(throws: FieldSelection.Invalid.self) { try FieldSelection(field: "Region", values: []) }
    }
}
