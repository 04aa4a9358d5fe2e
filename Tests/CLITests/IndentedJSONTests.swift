import Foundation
@testable import QlikConnectorCLI
import Testing

@Suite("discover --json checks the catalog's text without decoding it")
struct IndentedJSONTests {
    @Test("a catalog's top-level members are found by name with their value's first byte; names inside values and strings are not members")
    func members() throws {
        let text = #" {"apps":[{"name":"x","tenant":"no"}],"dataFiles":[],"note":"a \"tenant\": {","tenant":"https://t.example","n":3} "#
        let members = try #require(IndentedJSON.members(of: Data(text.utf8)))
        #expect(members == ["apps": UInt8(ascii: "["), "dataFiles": UInt8(ascii: "["), "note": UInt8(ascii: "\""),
                            "tenant": UInt8(ascii: "\""), "n": UInt8(ascii: "3")])
    }

    @Test("text that is not one object whose brackets balance has no members")
    func notAnObject() {
        for text in [#"["apps"]"#, #"{"apps":[1,2}"#, #"{"apps":[]} {}"#, "", #"{"tenant":"x"#] {
            #expect(IndentedJSON.members(of: Data(text.utf8)) == nil, "\(text)")
        }
    }
}
