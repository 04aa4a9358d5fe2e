import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: search, matching fields and temporary selection states")
struct EngineSearchTests {
    @Test("SearchValues finds values containing a term regardless of case, per field")
    func searchValues() async throws {
        var app = try await AssociativeFixture.make()
        let result = try #require(try await app.result("SearchValues", [["qSearchFields": [String]()], ["o"], ["qOffset": 0, "qCount": 10, "qMaxNbrFieldMatches": 5]])["qResult"] as? [String: Any])
        let matches = try #require(result["qFieldMatches"] as? [[String: Any]])
        #expect(matches.map { $0["qFieldName"] as? String } == ["Name", "Category"])
        #expect((matches[0]["qValues"] as? [[String: Any]])?.map { $0["qText"] as? String } == ["Bob"])
        #expect((matches[1]["qValues"] as? [[String: Any]])?.map { $0["qText"] as? String } == ["Tools", "Toys", "Food"])
    }

    @Test("SearchResults groups matches by field with character ranges; SelectAssociations selects a group's values")
    func searchAndSelect() async throws {
        var app = try await AssociativeFixture.make()
        let result = try #require(try await app.result("SearchResults", [["qSearchFields": ["Category"]], ["toy"], ["qOffset": 0, "qCount": 5]])["qResult"] as? [String: Any])
        let group = try #require((result["qSearchGroupArray"] as? [[String: Any]])?.first)
        let item = try #require((group["qItems"] as? [[String: Any]])?.first)
        #expect(item["qIdentifier"] as? String == "Category")
        let match = try #require((item["qItemMatches"] as? [[String: Any]])?.first)
        #expect(match["qText"] as? String == "Toys" && (match["qRanges"] as? [[String: Any]])?.first?["qCharCount"] as? Int == 3)
        _ = try await app.result("SelectAssociations", [["qSearchFields": ["Category"]], ["toy"], 0])
        #expect(try await app.evaluate("Sum(Amount)") == "27")
    }

    @Test("StoreTempSelectionState keeps the selections under an id; RestoreTempSelectionState brings them back")
    func temporaryState() async throws {
        var app = try await AssociativeFixture.make()
        try await app.select("Country", ["US"])
        let id = try #require(try await app.result("StoreTempSelectionState")["qId"] as? String)
        _ = try await app.result("ClearAll")
        #expect(try await app.result("RestoreTempSelectionState", [id])["qReturn"] as? Bool == true)
        #expect(try await app.evaluate("Sum(Amount)") == "35")
        #expect(try await app.result("RestoreTempSelectionState", ["no-such-state"])["qReturn"] as? Bool == false)
    }

    @Test("GetMatchingFields lists the fields carrying the tags; FindMatchingFields those associated with a field")
    func matchingFields() async throws {
        var app = try await AssociativeFixture.make()
        let numeric = try #require(try await app.result("GetMatchingFields", [["$integer"]])["qFieldNames"] as? [[String: Any]])
        #expect(numeric.map { $0["qName"] as? String } == ["CustomerID", "OrderID", "ProductID", "Amount"])
        let texts = try #require(try await app.result("FindMatchingFields", ["Name", ["$text"]])["qFieldNames"] as? [[String: Any]])
        #expect(texts.map { $0["qName"] as? String } == ["Name", "Country", "Category"])
    }
}

@Suite("Sandbox engine: list object search and range selections")
struct EngineRangeSelectionTests {
    @Test("SearchListObjectFor narrows the list to matches; AcceptListObjectSearch selects them, AbortListObjectSearch drops the search")
    func listSearch() async throws {
        var app = try await AssociativeFixture.make()
        let list = try await app.object(["qInfo": ["qType": "listbox"], "qListObjectDef": ["qDef": ["qFieldDefs": ["Name"]]]])
        #expect(try await app.result("SearchListObjectFor", handle: list, ["/qListObjectDef", "*e*"])["qSuccess"] as? Bool == true)
        let pages = try await app.result("GetListObjectData", handle: list, ["/qListObjectDef", [["qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 10]]])
        #expect(((pages["qDataPages"] as? [[String: Any]])?.first?["qMatrix"] as? [Any])?.count == 1)
        _ = try await app.result("AcceptListObjectSearch", handle: list, ["/qListObjectDef", false])
        #expect(try await app.evaluate("Only(Name)") == "Dee")
        _ = try await app.result("SearchListObjectFor", handle: list, ["/qListObjectDef", "A*"])
        _ = try await app.result("AbortListObjectSearch", handle: list, ["/qListObjectDef"])
        #expect(try await app.states("Name").count == 4)
    }

    @Test("SelectListObjectContinuousRange selects the numbers in a range")
    func listRange() async throws {
        var app = try await AssociativeFixture.make()
        let list = try await app.object(["qInfo": ["qType": "listbox"], "qListObjectDef": ["qDef": ["qFieldDefs": ["Amount"]]]])
        let answer = try await app.result("SelectListObjectContinuousRange", handle: list,
                                          ["/qListObjectDef", [["qMin": 5, "qMax": 30, "qMinInclEq": true, "qMaxInclEq": false]]])
        #expect(answer["qSuccess"] as? Bool == true)
        #expect(try await app.evaluate("Sum(Amount)") == "32")
    }

    @Test("SelectHyperCubeCells selects the values in cells, RangeSelectHyperCubeValues rows whose measure is in range, SelectHyperCubeContinuousRange numbers")
    func cubeCellsAndRanges() async throws {
        var app = try await AssociativeFixture.make()
        let cube = try await app.object(EngineObjectDataTests.cube(["Name"], measures: ["Sum(Amount)"]))
        _ = try await app.result("SelectHyperCubeCells", handle: cube, ["/qHyperCubeDef", [1, 2], [0]])
        #expect(try await app.evaluate("Sum(Amount)") == "35")
        _ = try await app.result("ClearAll")
        let answer = try await app.result("RangeSelectHyperCubeValues", handle: cube,
                                          ["/qHyperCubeDef", [["qRange": ["qMin": 10, "qMax": 100, "qMinInclEq": true, "qMaxInclEq": true], "qMeasureIx": 0]]])
        #expect(answer["qSuccess"] as? Bool == true)
        #expect(try await app.evaluate("Concat(Name, ',')") == "Ann,Bob")
        _ = try await app.result("ClearAll")
        let amounts = try await app.object(EngineObjectDataTests.cube(["Amount"]))
        _ = try await app.result("SelectHyperCubeContinuousRange", handle: amounts,
                                 ["/qHyperCubeDef", [["qRange": ["qMin": 20, "qMax": 50, "qMinInclEq": true, "qMaxInclEq": true], "qDimIx": 0]]])
        #expect(try await app.evaluate("Sum(Amount)") == "100")
    }
}

@Suite("Sandbox engine: object search")
struct EngineObjectSearchTests {
    @Test("SearchObjects finds the app's objects whose title contains a term, a group per object")
    func searchObjects() async throws {
        var app = try await AssociativeFixture.make()
        let result = try #require(try await app.result("SearchObjects", [["qAttributes": [String]()], ["REVENUE"], ["qOffset": 0, "qCount": 50]])["qResult"] as? [String: Any])
        let groups = try #require(result["qSearchGroupArray"] as? [[String: Any]])
        let identifiers = groups.compactMap { ($0["qItems"] as? [[String: Any]])?.first?["qIdentifier"] as? String }
        #expect(identifiers.contains("kpi-revenue") && identifiers.contains("bar-revenue-region"))
        #expect(groups.allSatisfy { $0["qGroupType"] as? String == "GENERIC_OBJECTS_GROUP" })
        #expect(result["qTotalNumberOfGroups"] as? Int == groups.count)
    }
}

@Suite("Sandbox engine: temporary bookmarks")
struct EngineTemporaryBookmarkTests {
    @Test("ApplyTemporaryBookmark brings back the selections of every state that CreateTemporaryBookmark kept")
    func temporaryBookmark() async throws {
        var app = try await AssociativeFixture.make()
        _ = try await app.result("AddSessionAlternateState", ["B"])
        try await app.select("Country", ["US"])
        let other = try #require((try await app.result("GetField", ["Category", "B"])["qReturn"] as? [String: Any])?["qHandle"] as? Int)
        _ = try await app.result("SelectValues", handle: other, [[["qText": "Toys"]]])
        let created = try await app.result("CreateTemporaryBookmark", [["qIncludeVariables": false, "qIncludeAllPatches": true], [String]()])
        let id = try #require(created["qId"] as? String)
        _ = try await app.result("ClearAll")
        _ = try await app.result("ClearAll", [false, "B"])
        #expect(try await app.result("ApplyTemporaryBookmark", [id])["qReturn"] as? Bool == true)
        #expect(try await app.evaluate("Sum(Amount)") == "35")
        let list = try await app.object(["qInfo": ["qType": "listbox"], "qListObjectDef": ["qStateName": "B", "qDef": ["qFieldDefs": ["Category"]],
                                          "qInitialDataFetch": [["qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 10]]]])
        let layout = try #require(try await app.result("GetLayout", handle: list)["qLayout"] as? [String: Any])
        let counts = try #require(((layout["qListObject"] as? [String: Any])?["qDimensionInfo"] as? [String: Any])?["qStateCounts"] as? [String: Any])
        #expect(counts["qSelected"] as? Int == 1)
        #expect(try await app.result("ApplyTemporaryBookmark", ["unknown"])["qReturn"] as? Bool == false)
    }
}
