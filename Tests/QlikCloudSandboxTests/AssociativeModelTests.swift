import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: associative model")
struct AssociativeModelTests {
    @Test("a selection in Customers narrows Orders and Products through the keys; other values of its field turn alternative")
    func narrowsThroughKeys() async throws {
        var app = try await AssociativeFixture.make()
        try await app.select("Country", ["US"])
        #expect(try await app.states("Country") == ["US:S", "DE:A", "FR:A"])
        #expect(try await app.states("Name") == ["Bob:O", "Cid:O", "Ann:X", "Dee:X"])
        #expect(try await app.states("OrderID") == ["12:O", "13:O", "10:X", "11:X", "14:X"])
        #expect(try await app.states("Category") == ["Tools:O", "Toys:X", "Food:X"])
    }

    @Test("a selection on the far side excludes a customer without orders but keeps an order without a customer")
    func outerAssociations() async throws {
        var app = try await AssociativeFixture.make()
        try await app.select("Category", ["Toys"])
        #expect(try await app.states("OrderID") == ["11:O", "14:O", "10:X", "12:X", "13:X"])
        #expect(try await app.states("Name") == ["Ann:O", "Bob:X", "Cid:X", "Dee:X"])
    }

    @Test("selecting a customer without orders excludes every order and product; the customer stays selected")
    func orphanSelection() async throws {
        var app = try await AssociativeFixture.make()
        try await app.select("Name", ["Dee"])
        #expect(try await app.states("Name") == ["Dee:S", "Ann:A", "Bob:A", "Cid:A"])
        #expect(try await app.states("Category").allSatisfy { $0.hasSuffix(":X") })
    }

    @Test("without selections every value is optional")
    func noSelections() async throws {
        var app = try await AssociativeFixture.make()
        #expect(try await app.states("Category") == ["Tools:O", "Toys:O", "Food:O"])
    }

    @Test("each WebSocket session keeps its own selections")
    func sessionsAreSeparate() async throws {
        var first = try await AssociativeFixture.make()
        var second = first
        second.session = EngineConversation(tenant: first.session.tenant, appID: first.session.appID, userID: "v")
        _ = try await second.result("OpenDoc", handle: -1, [first.session.appID])
        try await first.select("Country", ["US"])
        #expect(try await first.evaluate("Sum(Amount)") == "35")
        #expect(try await second.evaluate("Sum(Amount)") == "112")
    }
}
