import Foundation
import QlikCloudAPI
import Testing
@testable import QlikCloudSandbox
import TestTenants

@Suite("Table reads under selections, against the sandbox's default tenant")
struct SelectionReadTests {
    /// The ids of the sample orders whose customer's country lies in `region`.
    static func orderIDs(region: String) -> [Int] {
        let regionOf = Dictionary(uniqueKeysWithValues: SampleSalesData.regions.map { ($0.country, $0.region) })
        let countryOf = Dictionary(uniqueKeysWithValues: SampleSalesData.customers.map { ($0.id, $0.country) })
        return SampleSalesData.orders.filter { regionOf[countryOf[$0.customerID] ?? ""] == region }.map(\.id).sorted()
    }

    static func salesAnalysis(_ sandbox: QlikCloudSandbox) async throws -> String {
        try #require(await sandbox.tenant.apps.first { $0.name == "Sales Analysis" }?.id)
    }

    @Test("a socket dropped mid-read re-applies the selections on the new session before resuming: the rows are the selection's, each once")
    func resumesWithSelections() async throws {
        // Setup takes 11 messages on the first session and 7 on the next ones: a drop after 12 leaves each session a few pages.
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(faults: SandboxFaults(dropWebSocketAfterMessages: 12)))
        let appID = try await Self.salesAnalysis(sandbox)
        let (header, rows, summary) = try await withLiveSandbox(sandbox) { credentials in
            let client = try credentials.client(settings: directSettings)
            defer { Task { await client.shutdown() } }
            let reader = TableReader(client: client, appID: appID, table: "Orders", fields: ["OrderID", "Channel"],
                                     selections: [try FieldSelection(field: "Region", values: ["EMEA"])], pagesInFlight: 1, cellsPerPage: 20)
            return try await EngineTests.read(reader)
        }
        let expected = Self.orderIDs(region: "EMEA")
        #expect(summary.reconnects >= 2, "\(summary)")
        #expect(header?.rows == expected.count && header?.tableRows == SampleSalesData.orders.count)
        #expect(rows.compactMap { $0.first?.number.map(Int.init) }.sorted() == expected, "every EMEA order, once")
    }

    @Test("selections that leave no rows read zero rows, which is no error")
    func noRows() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let appID = try await Self.salesAnalysis(sandbox)
        let (header, rows, summary) = try await withLiveSandbox(sandbox) { credentials in
            let client = try credentials.client(settings: directSettings)
            defer { Task { await client.shutdown() } }
            // Northwind Traders is a German customer: none of its orders is in APAC.
            let reader = TableReader(client: client, appID: appID, table: "Orders", selections: [
                try FieldSelection(field: "Region", values: ["APAC"]), try FieldSelection(field: "Customer", values: ["Northwind Traders"]),
            ])
            return try await EngineTests.read(reader)
        }
        #expect(header?.rows == 0 && rows.isEmpty && summary.rows == 0 && summary.pages == 0)
    }
}
