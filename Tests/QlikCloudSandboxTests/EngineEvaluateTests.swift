import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: Evaluate and expressions")
struct EngineEvaluateTests {
    @Test("aggregations over every row without selections")
    func aggregations() async throws {
        var app = try await AssociativeFixture.make()
        #expect(try await app.evaluate("Sum(Amount)") == "112")
        #expect(try await app.evaluate("=Count(OrderID)") == "5")
        #expect(try await app.evaluate("Avg(Amount)") == "22.4")
        #expect(try await app.evaluate("Min(Amount) & '-' & Max(Amount)") == "5-50")
        #expect(try await app.evaluate("Count(DISTINCT Country)") == "3")
        #expect(try await app.evaluate("Only(Country)") == "-")
    }

    @Test("aggregations follow the selections, with arithmetic between them")
    func underSelections() async throws {
        var app = try await AssociativeFixture.make()
        try await app.select("Country", ["US"])
        #expect(try await app.evaluate("Sum(Amount) * 2 + 1") == "71")
        #expect(try await app.evaluate("Only(Country)") == "US")
        #expect(try await app.evaluate("Concat(DISTINCT Name, ', ')") == "Bob, Cid")
        #expect(try await app.evaluate("Count(CustomerID)") == "2")
    }

    @Test("an expression nested or chained beyond what the stack holds is an error text, not a crash")
    func deepExpressions() async throws {
        var app = try await AssociativeFixture.make()
        let nested = String(repeating: "(", count: 200_000) + "1" + String(repeating: ")", count: 200_000)
        #expect(try await app.evaluate(nested).hasPrefix("Error: "))
        #expect(try await app.evaluate(String(repeating: "-", count: 200_000) + "1").hasPrefix("Error: "))
        #expect(try await app.evaluate(Array(repeating: "1", count: 200_000).joined(separator: "+")).hasPrefix("Error: "))
        #expect(try await app.evaluate(Array(repeating: "1", count: 300).joined(separator: "+")) == "300")
    }

    @Test("EvaluateEx answers a FieldValue")
    func evaluateEx() async throws {
        var app = try await AssociativeFixture.make()
        let value = try #require(try await app.result("EvaluateEx", ["Sum(Amount)/4"])["qValue"] as? [String: Any])
        #expect(value["qText"] as? String == "28" && value["qIsNumeric"] as? Bool == true && value["qNumber"] as? Double == 28)
    }

    @Test("a bad expression is answered as an error text, a bad field named by CheckExpression")
    func badExpressions() async throws {
        var app = try await AssociativeFixture.make()
        #expect(try await app.evaluate("Sum(Amount").hasPrefix("Error: "))
        #expect(try await app.evaluate("Sum(Price)") == "Error: Field not found: Price")
        let checked = try await app.result("CheckExpression", ["Sum(Price)"])
        #expect((checked["qErrorMsg"] as? String)?.contains("Price") == true)
        #expect((checked["qBadFieldNames"] as? [[String: Any]])?.first?["qFrom"] as? Int == 4)
        let fine = try await app.result("CheckNumberOrExpression", ["Sum(Amount)"])
        #expect(fine["qErrorMsg"] as? String == "")
        #expect(try await app.result("GetFieldsFromExpression", ["Sum(Amount) / Count([OrderID])"])["qFieldNames"] as? [String] == ["Amount", "OrderID"])
    }
}
