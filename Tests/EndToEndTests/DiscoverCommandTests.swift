import Foundation
import Testing
import TestCommandLine

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
        let labelled = try #require(apps.first { $0["name"] as? String == "Lineage App" }?["lineage"] as? [String: Any])
        #expect(labelled["source"] as? String == "script-parser")
        let lineage = labelled.compactMapValues { $0 as? [String] }
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
        let outputs = try #require(parsed[0]["outputs"] as? [[String: Any]])
        // The stored file, then the app's own data model as a dataset.
        #expect(outputs.map { $0["name"] as? String } == ["summary.qvd", "Lineage App"])
        #expect((parsed[0]["job"] as? [String: String])?["name"] == "Lineage App" && parsed[0]["eventType"] as? String == "COMPLETE")
        let filtered = try await harness.succeed(["discover", "S", "--space", "fin*"])
        #expect(filtered.stdout.contains("Orders App") && !filtered.stdout.contains("Lineage App"))
        #expect(await server.stop() == 0)
    }

    /// The default sandbox tenant, with a connection named S to it.
    private func defaultSandbox(_ harness: CommandLineHarness, _ arguments: [String] = []) async throws -> CommandLineHarness.Server {
        let server = try harness.start(["sandbox", "--port", "0", "--json"] + arguments)
        let line = try #require(await server.nextLine(), "the sandbox printed nothing")
        let started = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let baseURL = try #require(started["baseURL"] as? String), key = try #require(started["apiKey"] as? String)
        try await harness.succeed(["org", "create", "Acme"])
        try await harness.succeed(["hosts", "allow", "127.0.0.1:*"])
        try await harness.succeed(["connection", "create", "S", "--runtime-env", "Serverless", "--auth", "api-key", "--base-url", baseURL,
                                   "--access-token-from", "env:KEY"], environment: ["KEY": key])
        return server
    }

    @Test("Sales Analysis: sheets with their charts resolved to master items and fields, master items with their fields, variables, bookmarks, the data model, lineage labelled by source")
    func deepCatalog() async throws {
        let harness = try CommandLineHarness()
        let server = try await defaultSandbox(harness)
        let json = try await harness.succeed(["discover", "S", "--app", "Sales Analysis", "--json", "--concurrency", "2"])
        let catalog = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let app = try #require((catalog["apps"] as? [[String: Any]])?.first)
        let sheets = try #require(app["sheets"] as? [[String: Any]])
        // Every chart is catalogued, whatever the engine says of its data (a problem, if any, is noted beside it).
        #expect(sheets.map { ($0["charts"] as? [Any])?.count } == [6, 2])
        #expect(sheets.map { $0["title"] as? String } == ["Sales overview", "Order details"])
        #expect(sheets.map { $0["published"] as? Bool } == [true, false])
        let charts = try #require(sheets.first?["charts"] as? [[String: Any]])
        let bar = try #require(charts.first { $0["id"] as? String == "bar-revenue-region" })
        #expect(bar["type"] as? String == "barchart" && bar["title"] as? String == "Revenue by region")
        let dimension = try #require((bar["dimensions"] as? [[String: Any]])?.first)
        #expect((dimension["masterItem"] as? [String: String]) == ["id": "dim-region", "title": "Region"] && dimension["fields"] as? [String] == ["Region"])
        let measure = try #require((bar["measures"] as? [[String: Any]])?.first)
        #expect((measure["masterItem"] as? [String: String])?["title"] == "Revenue" && measure["expression"] as? String == "Sum(Amount)"
                && measure["fields"] as? [String] == ["Amount"])
        // The filter pane shows its list boxes' fields.
        let filters = try #require(charts.first { $0["type"] as? String == "filterpane" })
        #expect((filters["dimensions"] as? [[String: Any]])?.flatMap { $0["fields"] as? [String] ?? [] } == ["Region", "Segment"])
        let masterDimensions = try #require(app["masterDimensions"] as? [[String: Any]])
        #expect(masterDimensions.first { $0["id"] as? String == "dim-year" }?["fields"] as? [String] == ["OrderDate"])
        #expect((app["masterMeasures"] as? [[String: Any]])?.first { $0["id"] as? String == "msr-orders" }?["fields"] as? [String] == ["OrderID"])
        #expect((app["variables"] as? [[String: Any]])?.map { $0["name"] as? String } == ["vCurrentYear", "vRevenueGoal"])
        #expect((app["bookmarks"] as? [[String: Any]])?.first?["title"] as? String == "EMEA enterprise customers")
        let model = try #require(app["dataModel"] as? [String: Any])
        let tables = try #require(model["tables"] as? [[String: Any]])
        #expect(tables.contains { $0["name"] as? String == "Orders" && ($0["rows"] as? Int ?? 0) > 0 })
        #expect((model["keys"] as? [[String: Any]])?.contains { ($0["fields"] as? [String]) == ["CustomerID"] } == true)
        #expect((app["lineage"] as? [String: Any])?["source"] as? String == "script-parser")
        if let graph = app["qlikLineage"] as? [String: Any] { #expect(graph["source"] as? String == "qlik-lineage-graph") }
        let text = try await harness.succeed(["discover", "S", "--app", "Sales Analysis"])
        #expect(text.stdout.contains("sheet Sales overview (published)") && text.stdout.contains("barchart 'Revenue by region': fields Region, Amount"))
        #expect(await server.stop() == 0)
    }

    @Test("a chart whose master dimension does not exist, and an app without objects, are catalogued: the chart kept and its problem noted")
    func brokenChart() async throws {
        let harness = try CommandLineHarness()
        let (server, _) = try await harness.sandboxConnection(fixture: #"""
            {"users": [{"name": "Ada", "email": "ada@example.com", "apiKeys": [{"token": "sbx_broken"}]}],
             "dataFiles": [{"name": "orders.csv", "text": "id,region\n1,EU\n2,US\n"}],
             "apps": [{"name": "Broken", "reload": true,
                       "script": "Orders:\nLOAD * FROM [lib://DataFiles/orders.csv] (txt, utf8, embedded labels, delimiter is ',');",
                       "objects": [{"properties": {"qInfo": {"qId": "sheet-1", "qType": "sheet"}, "qMetaDef": {"title": "Orders"},
                                                   "cells": [{"name": "chart-ok", "type": "barchart"}, {"name": "chart-broken", "type": "barchart"}]}},
                                   {"parent": "sheet-1", "properties": {"qInfo": {"qId": "chart-ok", "qType": "barchart"}, "visualization": "barchart", "title": "By region",
                                      "qHyperCubeDef": {"qDimensions": [{"qDef": {"qFieldDefs": ["region"]}}], "qMeasures": [{"qDef": {"qDef": "Count(id)"}}]}}},
                                   {"parent": "sheet-1", "properties": {"qInfo": {"qId": "chart-broken", "qType": "barchart"}, "visualization": "barchart", "title": "Lost",
                                      "qHyperCubeDef": {"qDimensions": [{"qLibraryId": "no-such-dimension"}], "qMeasures": [{"qDef": {"qDef": "Count(id)"}}]}}}]},
                      {"name": "Empty"}]}
            """#, key: "sbx_broken")
        let json = try await harness.succeed(["discover", "S", "--json"])
        let catalog = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let apps = try #require(catalog["apps"] as? [[String: Any]])
        #expect(apps.map { $0["name"] as? String } == ["Broken", "Empty"])
        let broken = apps[0]
        let charts = try #require((broken["sheets"] as? [[String: Any]])?.first?["charts"] as? [[String: Any]])
        #expect(charts.map { $0["id"] as? String } == ["chart-ok", "chart-broken"])
        #expect(charts.first?["measures"].flatMap { ($0 as? [[String: Any]])?.first?["fields"] as? [String] } == ["id"])
        let problems = try #require(broken["problems"] as? [[String: String]])
        #expect(problems.contains { ($0["object"] ?? "").contains("chart-broken") && ($0["message"] ?? "").contains("no-such-dimension") })
        #expect((apps[1]["sheets"] as? [Any])?.isEmpty == true)
        let text = try await harness.succeed(["discover", "S"])
        #expect(text.stdout.contains("problem: chart chart-broken on sheet 'Orders'"))
        #expect(await server.stop() == 0)
    }

    @Test("the benchmark's generated apps (sandbox --generate-catalog-apps) are catalogued whole: 5 sheets of 6 charts, 20 master items, 20 tables each, with engine latency")
    func generatedCatalogApps() async throws {
        let harness = try CommandLineHarness()
        let server = try await defaultSandbox(harness, ["--generate-catalog-apps", "3", "--fault-engine-latency-ms", "5"])
        let json = try await harness.succeed(["discover", "S", "--app", "Catalog app *", "--json", "--concurrency", "2"])
        let apps = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["apps"] as? [[String: Any]])
        #expect(apps.map { $0["name"] as? String } == ["Catalog app 1", "Catalog app 2", "Catalog app 3"])
        for app in apps {
            let sheets = try #require(app["sheets"] as? [[String: Any]])
            #expect(sheets.map { ($0["charts"] as? [[String: Any]])?.count } == [6, 6, 6, 6, 6])
            #expect((app["masterDimensions"] as? [Any])?.count == 10 && (app["masterMeasures"] as? [Any])?.count == 10)
            #expect(((app["dataModel"] as? [String: Any])?["tables"] as? [Any])?.count == 20)
            #expect((app["problems"] as? [Any])?.isEmpty == true, "\(app["problems"] ?? "")")
        }
        #expect(await server.stop() == 0)
    }

    @Test("an app whose engine session ends (the socket dropped after OpenDoc) is still catalogued from REST, its problem named; the catalog does not fail")
    func engineUnavailable() async throws {
        let harness = try CommandLineHarness()
        let (server, _) = try await harness.sandboxConnection(fixture: #"""
            {"users": [{"name": "Ada", "email": "ada@example.com", "apiKeys": [{"token": "sbx_dropped"}]}],
             "dataFiles": [{"name": "orders.csv", "text": "id,region\n1,EU\n"}],
             "apps": [{"name": "Orders", "reload": true, "script": "Orders:\nLOAD * FROM [lib://DataFiles/orders.csv] (txt, utf8, embedded labels, delimiter is ',');"}]}
            """#, key: "sbx_dropped", sandboxArguments: ["--fault-drop-websocket-after", "2"])
        let json = try await harness.succeed(["discover", "S", "--json"])
        let app = try #require(((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["apps"] as? [[String: Any]])?.first)
        #expect((app["tables"] as? [[String: Any]])?.first?["name"] as? String == "Orders")
        let problems = try #require(app["problems"] as? [[String: String]])
        // The socket closes right after the answer to OpenDoc: the reads after it are problems saying the session ended
        // (which of the pipelined reads were on their way when it closed varies).
        #expect((app["sheets"] as? [Any])?.isEmpty ?? true)
        #expect(!problems.isEmpty && problems.allSatisfy { ($0["message"] ?? "").contains("engine session ended") }, "\(problems)")
        #expect(await server.stop() == 0)
    }

    // The WebSocket client can lose a close that arrives with the upgrade (no frame, no end of input reaches it):
    // then the connect deadline ends the session, which QLIK_CONNECTOR_ENGINE_CONNECT_TIMEOUT shortens here.
    // The time limit catches a session the deadline does not end; a bound on the run's wall time would fail on a busy machine instead.
    @Test("an app whose socket closes right after OnConnected, or at the upgrade, is catalogued from REST with its problem named, within the connect deadline",
          .timeLimit(.minutes(10)), arguments: ["1", "0"])
    func engineClosedAtConnect(dropAfter: String) async throws {
        let harness = try CommandLineHarness()
        let (server, _) = try await harness.sandboxConnection(fixture: #"""
            {"users": [{"name": "Ada", "email": "ada@example.com", "apiKeys": [{"token": "sbx_dropped"}]}],
             "apps": [{"name": "Orders", "script": "Orders:\nLOAD * INLINE [id\n1];"}]}
            """#, key: "sbx_dropped", sandboxArguments: ["--fault-drop-websocket-after", dropAfter])
        let json = try await harness.succeed(["discover", "S", "--json"], environment: ["QLIK_CONNECTOR_ENGINE_CONNECT_TIMEOUT": "3"])
        let app = try #require(((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["apps"] as? [[String: Any]])?.first)
        #expect(app["name"] as? String == "Orders")
        let problems = try #require(app["problems"] as? [[String: String]])
        #expect(!problems.isEmpty && problems.allSatisfy {
            let message = $0["message"] ?? ""
            return message.contains("engine session ended") || message.contains("OnConnected message did not arrive")
        }, "\(problems)")
        #expect(await server.stop() == 0)
    }
}
