import Foundation
import QVD
import Testing
@testable import QlikCloudSandbox

/// A session on a small sales model whose three tables associate through CustomerID and ProductID, with a
/// customer without orders (Dee), a product without orders (Food), and an order without a customer (14).
struct AssociativeFixture {
    var session: EngineConversation
    private var nextID = 100

    static func make() async throws -> AssociativeFixture {
        let sandbox = await QlikCloudSandbox.make()
        let app = try #require(await sandbox.tenant.apps.first)
        let customers = DataTable(name: "Customers", fields: ["CustomerID", "Name", "Country"], columns: [
            [1, 2, 3, 4].map { .integer($0) }, ["Ann", "Bob", "Cid", "Dee"].map { .text($0) }, ["DE", "US", "US", "FR"].map { .text($0) },
        ])
        let orders = DataTable(name: "Orders", fields: ["OrderID", "CustomerID", "ProductID", "Amount"], columns: [
            [10, 11, 12, 13, 14].map { .integer($0) }, [.integer(1), .integer(1), .integer(2), .integer(3), .null],
            [100, 101, 100, 102, 101].map { .integer($0) }, [50, 20, 30, 5, 7].map { .integer($0) },
        ])
        let products = DataTable(name: "Products", fields: ["ProductID", "Category"], columns: [
            [100, 101, 102, 103].map { .integer($0) }, ["Tools", "Toys", "Tools", "Food"].map { .text($0) },
        ])
        await sandbox.tenant.setDataModel(app.id, DataModel(tables: [customers, orders, products]))
        var fixture = AssociativeFixture(session: EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: "u"))
        _ = try await fixture.result("OpenDoc", handle: -1, [app.id])
        return fixture
    }

    /// One call's whole answer, as a client parses it.
    mutating func call(_ method: String, handle: Int = 1, _ params: Any = [Any]()) async -> [String: Any] {
        nextID += 1
        return await EngineConversationTests.call(&session, nextID, method, handle: handle, params)
    }

    mutating func result(_ method: String, handle: Int = 1, _ params: Any = [Any]()) async throws -> [String: Any] {
        let answer = await call(method, handle: handle, params)
        return try #require(answer["result"] as? [String: Any], "\(method) answered \(answer)")
    }

    /// The handle of a field (Doc.GetField).
    mutating func field(_ name: String) async throws -> Int {
        try #require((try await result("GetField", [name])["qReturn"] as? [String: Any])?["qHandle"] as? Int)
    }

    /// Selects values of a field by text (Field.SelectValues).
    mutating func select(_ name: String, _ texts: [String]) async throws {
        let handle = try await field(name)
        let values = texts.map { text -> [String: Any] in
            if let number = Double(text) { return ["qText": text, "qIsNumeric": true, "qNumber": number] }
            return ["qText": text, "qIsNumeric": false, "qNumber": 0]
        }
        #expect(try await result("SelectValues", handle: handle, [values])["qReturn"] as? Bool == true)
    }

    /// A session object with `properties`; answers its handle.
    mutating func object(_ properties: [String: Any]) async throws -> Int {
        try #require((try await result("CreateSessionObject", [properties])["qReturn"] as? [String: Any])?["qHandle"] as? Int)
    }

    /// Each value of a field with its state, from a list object's first page: "Text:State".
    mutating func states(_ name: String) async throws -> [String] {
        let handle = try await object(["qInfo": ["qType": "listbox"], "qListObjectDef": ["qDef": ["qFieldDefs": [name]]]])
        let pages = try #require(try await result("GetListObjectData", handle: handle, ["/qListObjectDef", [["qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 100]]])["qDataPages"] as? [[String: Any]])
        let matrix = try #require(pages.first?["qMatrix"] as? [[[String: Any]]])
        return matrix.map { "\($0[0]["qText"] as? String ?? "?"):\($0[0]["qState"] as? String ?? "?")" }
    }

    mutating func evaluate(_ expression: String) async throws -> String {
        try #require(try await result("Evaluate", ["qExpression": expression])["qReturn"] as? String)
    }
}
