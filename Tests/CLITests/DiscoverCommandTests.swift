import Foundation
import Testing

@Suite("qlik-connector discover")
struct DiscoverCommandTests {
    @Test("the catalog lists spaces, apps with data models, data files, and lineage parsed from scripts, as JSON and as OpenLineage events")
    func catalog() async throws {
        let harness = try CommandLineHarness()
        let (server, _) = try await harness.sandboxConnection(fixture: #"""
            {"users": [{"name": "Ada", "email": "ada@example.com", "apiKeys": [{"token": "sbx_discover"}]}],
             "spaces": [{"name": "Finance", "type": "shared"}, {"name": "Lake", "type": "data"}],
             "dataFiles": [{"name": "orders.csv", "text": "id,region\n1,EU\n2,US\n"}, {"name": "regions.csv", "text": "region,name\nEU,Europe\n"}],
             "apps": [{"name": "Orders App", "space": "Finance", "reload": true,
                       "script": "Orders:\nLOAD * FROM [lib://DataFiles/orders.csv] (txt, utf8, embedded labels, delimiter is ',');\nRegions:\nLOAD * FROM [lib://DataFiles/regions.csv] (txt, utf8, embedded labels, delimiter is ',');"},
                      {"name": "Lineage App", "space": "Lake",
                       "script": "// FROM [lib://DataFiles/commented.qvd] is not read\nLIB CONNECT TO 'Snowflake';\nT: SQL SELECT * FROM SALES.PUBLIC.ORDERS;\nA: LOAD * FROM [lib://DataFiles/orders.csv] (txt);\nB: LOAD *, 'FROM [x]' AS Note FROM 'lib://DataFiles/regions.qvd' (qvd);\nSTORE A INTO [lib://DataFiles/summary.qvd] (qvd);"}]}
            """#, key: "sbx_discover")
        let json = try await harness.succeed(["discover", "S", "--json"])
        let catalog = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let apps = try #require(catalog["apps"] as? [[String: Any]])
        let orders = try #require(apps.first { $0["name"] as? String == "Orders App" })
        #expect(orders["space"] as? String == "Finance")
        // Reloaded at seeding, so its last reload is known; the other app was never reloaded.
        #expect((orders["lastReload"] as? String)?.isEmpty == false)
        #expect(apps.first { $0["name"] as? String == "Lineage App" }?["lastReload"] == nil)
        let tables = try #require(orders["tables"] as? [[String: Any]])
        #expect(tables.map { $0["name"] as? String } == ["Orders", "Regions"] && tables.first?["rows"] as? Int == 2)
        let keys = (orders["fields"] as? [[String: Any]] ?? []).filter { $0["isKey"] as? Bool == true }.map { $0["name"] as? String }
        #expect(keys == ["region"])
        let lineage = try #require(apps.first { $0["name"] as? String == "Lineage App" }?["lineage"] as? [String: [String]])
        #expect(lineage["reads"] == ["Snowflake:SALES.PUBLIC.ORDERS", "lib://DataFiles/orders.csv", "lib://DataFiles/regions.qvd"])
        #expect(lineage["stores"] == ["lib://DataFiles/summary.qvd"])
        #expect(lineage["connections"] == ["Snowflake"])
        let edges = try #require(catalog["edges"] as? [[String: String]])
        #expect(edges.contains(["from": "datafile:orders.csv", "to": "app:Lineage App", "kind": "reads"]))
        #expect(edges.contains(["from": "app:Lineage App", "to": "datafile:summary.qvd", "kind": "stores"]))
        #expect((catalog["dataFiles"] as? [[String: Any]])?.count == 2)
        let events = try await harness.succeed(["discover", "S", "--format", "openlineage", "--app", "lineage*"])
        let parsed = try events.stdout.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(parsed.count == 1)
        #expect(((parsed[0]["outputs"] as? [[String: String]])?.first)?["name"] == "summary.qvd")
        #expect((parsed[0]["job"] as? [String: String])?["name"] == "Lineage App" && parsed[0]["eventType"] as? String == "COMPLETE")
        let filtered = try await harness.succeed(["discover", "S", "--space", "fin*"])
        #expect(filtered.stdout.contains("Orders App") && !filtered.stdout.contains("Lineage App"))
        #expect(await server.stop() == 0)
    }
}
