import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: Field class and Doc selections")
struct EngineFieldTests {
    @Test("GetField opens a Field handle; an unknown field is error 1001 naming it")
    func getField() async throws {
        var app = try await AssociativeFixture.make()
        let opened = try #require(try await app.result("GetField", ["qFieldName": "Country"])["qReturn"] as? [String: Any])
        #expect(opened["qType"] as? String == "Field" && opened["qGenericId"] as? String == "Country")
        let handle = try #require(opened["qHandle"] as? Int)
        #expect(try await app.result("GetCardinal", handle: handle)["qReturn"] as? Int == 3)
        let missing = await app.call("GetField", ["Region"])
        #expect((missing["error"] as? [String: Any])?["code"] as? Int == 1001)
        #expect((missing["error"] as? [String: Any])?["parameter"] as? String == "Region")
    }

    @Test("Select reads wildcards and numeric criteria; ToggleSelect adds to the selection")
    func selectMatch() async throws {
        var app = try await AssociativeFixture.make()
        let amount = try await app.field("Amount")
        #expect(try await app.result("Select", handle: amount, [">=30"])["qReturn"] as? Bool == true)
        #expect(try await app.evaluate("Concat(Amount, ',')") == "30,50")
        let name = try await app.field("Name")
        _ = try await app.result("Select", handle: name, ["qMatch": "b*"])
        _ = try await app.result("ToggleSelect", handle: name, ["A?n"])
        #expect(try await app.states("Name").prefix(2) == ["Ann:S", "Bob:S"])
    }

    @Test("wildcard matching costs no stack and no backtracking blow-up on a client's pattern, and still matches as before")
    func wildcardCost() {
        let long = String(repeating: "x", count: 200_000)
        #expect(FieldSearch(String(repeating: "?", count: 200_000)).matches(.text(long)))
        #expect(!FieldSearch(String(repeating: "*a", count: 15) + "*b").matches(.text(String(repeating: "a", count: 200))))
        #expect(FieldSearch("b*").matches(.text("Bob")) && FieldSearch("A?n").matches(.text("ann")) && FieldSearch("*").matches(.text("")))
        #expect(FieldSearch("a*b*c").matches(.text("aXbYc")) && !FieldSearch("a*b").matches(.text("a")) && !FieldSearch("?").matches(.text("")))
    }

    @Test("SelectAlternative, SelectExcluded, SelectAll, SelectPossible and LowLevelSelect choose by state and element")
    func selectByState() async throws {
        var app = try await AssociativeFixture.make()
        try await app.select("Name", ["Ann"])
        let name = try await app.field("Name")
        _ = try await app.result("SelectAlternative", handle: name)
        #expect(try await app.states("Name") == ["Bob:S", "Cid:S", "Dee:S", "Ann:A"])
        _ = try await app.result("SelectExcluded", handle: name)
        #expect(try await app.states("Name") == ["Ann:S", "Bob:A", "Cid:A", "Dee:A"])
        _ = try await app.result("SelectAll", handle: name)
        try await app.select("Country", ["US"])
        // Other fields' selections exclude Ann and Dee: selected but excluded (XS); SelectPossible keeps the rest.
        #expect(try await app.states("Name") == ["Bob:S", "Cid:S", "Ann:XS", "Dee:XS"])
        _ = try await app.result("SelectPossible", handle: name)
        #expect(try await app.states("Name") == ["Bob:S", "Cid:S", "Ann:X", "Dee:X"])
        _ = try await app.result("LowLevelSelect", handle: name, [[0], false])
        #expect(try await app.states("Name") == ["Bob:A", "Cid:A", "Ann:XS", "Dee:X"])
    }

    @Test("Back and Forward walk the selection history; BackCount and ForwardCount count the steps")
    func history() async throws {
        var app = try await AssociativeFixture.make()
        try await app.select("Country", ["US"])
        try await app.select("Category", ["Tools"])
        #expect(try await app.result("BackCount")["qReturn"] as? Int == 2)
        _ = try await app.result("Back")
        #expect(try await app.evaluate("Sum(Amount)") == "35")
        #expect(try await app.result("ForwardCount")["qReturn"] as? Int == 1)
        _ = try await app.result("Forward")
        #expect(try await app.evaluate("Sum(Amount)") == "35")
        _ = try await app.result("Back")
        _ = try await app.result("Back")
        #expect(try await app.evaluate("Sum(Amount)") == "112")
    }

    @Test("a locked field keeps its selection through Clear and ClearAll, until ClearAll with qLockedAlso")
    func locks() async throws {
        var app = try await AssociativeFixture.make()
        try await app.select("Country", ["US"])
        let country = try await app.field("Country")
        #expect(try await app.result("Lock", handle: country)["qReturn"] as? Bool == true)
        #expect(try await app.states("Country").first == "US:L")
        #expect(try await app.result("Clear", handle: country)["qReturn"] as? Bool == false)
        #expect(try await app.result("SelectValues", handle: country, [[["qText": "DE"]]])["qReturn"] as? Bool == false)
        _ = try await app.result("ClearAll")
        #expect(try await app.evaluate("Sum(Amount)") == "35")
        _ = try await app.result("ClearAll", [true])
        #expect(try await app.evaluate("Sum(Amount)") == "112")
    }

    @Test("a selection's answer lists the open objects' handles in change")
    func changeList() async throws {
        var app = try await AssociativeFixture.make()
        let list = try await app.object(["qInfo": ["qType": "listbox"], "qListObjectDef": ["qDef": ["qFieldDefs": ["Country"]]]])
        let country = try await app.field("Country")
        let answer = await app.call("SelectValues", handle: country, [[["qText": "US", "qIsNumeric": false, "qNumber": 0]]])
        let change = try #require(answer["change"] as? [Int])
        #expect(change.contains(list) && change.contains(1))
        let unchanged = await app.call("SelectValues", handle: country, [[["qText": "US"]]])
        #expect(unchanged["change"] == nil)
    }

    @Test("GetFieldDescription describes a key field: its tables, cardinal and row count")
    func fieldDescription() async throws {
        var app = try await AssociativeFixture.make()
        let description = try #require(try await app.result("GetFieldDescription", ["CustomerID"])["qReturn"] as? [String: Any])
        #expect(description["qSrcTables"] as? [String] == ["Customers", "Orders"])
        #expect(description["qCardinal"] as? Int == 4 && description["qTotalCount"] as? Int == 9)
        #expect(description["qIsNumeric"] as? Bool == true)
    }
}

@Suite("Sandbox engine: current selections object")
struct EngineCurrentSelectionsTests {
    @Test("a qSelectionObjectDef's layout lists each field's selected values, counts, lock and the Back count")
    func currentSelections() async throws {
        var app = try await AssociativeFixture.make()
        let object = try await app.object(["qInfo": ["qType": "current-selections"], "qSelectionObjectDef": [String: Any]()])
        try await app.select("Country", ["US"])
        try await app.select("Name", ["Bob", "Cid"])
        _ = try await app.result("Lock", handle: try await app.field("Country"))
        let layout = try #require(try await app.result("GetLayout", handle: object)["qLayout"] as? [String: Any])
        let selection = try #require(layout["qSelectionObject"] as? [String: Any])
        #expect(selection["qBackCount"] as? Int == 3)
        let items = try #require(selection["qSelections"] as? [[String: Any]])
        #expect(items.map { $0["qField"] as? String } == ["Name", "Country"])
        #expect(items[0]["qSelected"] as? String == "Bob, Cid" && items[0]["qSelectedCount"] as? Int == 2 && items[0]["qTotal"] as? Int == 4)
        #expect(items[1]["qLocked"] as? Bool == true && items[1]["qSelected"] as? String == "US")
    }
}
