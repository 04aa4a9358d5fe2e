import Foundation
import Testing
import TestCommandLine

@Suite("qlik-connector read --select and Airbyte selections against the default sandbox tenant")
struct ReadSelectCommandTests {
    /// A harness with connection "S" to a sandbox serving the default tenant (app "Sales Analysis").
    static func setUp() async throws -> (CommandLineHarness, CommandLineHarness.Server) {
        let harness = try CommandLineHarness()
        let server = try harness.start(["sandbox", "--port", "0", "--json"])
        let line = try #require(await server.nextLine(), "the sandbox printed nothing")
        let started = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let baseURL = try #require(started["baseURL"] as? String), key = try #require(started["apiKey"] as? String)
        try await harness.succeed(["org", "create", "Acme"])
        try await harness.succeed(["hosts", "allow", "127.0.0.1:*"])
        try await harness.succeed(["connection", "create", "S", "--runtime-env", "Serverless", "--auth", "api-key", "--base-url", baseURL, "--access-token-from", "env:KEY"],
                                  environment: ["KEY": key])
        return (harness, server)
    }

    /// A table read whole as JSON Lines.
    static func rows(_ harness: CommandLineHarness, _ table: String, _ extra: [String] = []) async throws -> [[String: Any]] {
        let path = harness.home + "/\(table)-\(UUID().uuidString).jsonl"
        try await harness.succeed(["read", "S", "--app", "Sales Analysis", "--table", table, "--to", path] + extra)
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// Each order's id, region and channel, joined here from the whole tables (Orders, Customers, Regions): what selections are checked against.
    struct Orders {
        let rows: [(id: Int, region: String, channel: String)]

        init(_ harness: CommandLineHarness) async throws {
            let regionOf = Dictionary(uniqueKeysWithValues: try await ReadSelectCommandTests.rows(harness, "Regions").map {
                ($0["Country"] as? String ?? "", $0["Region"] as? String ?? "")
            })
            let countryOf = Dictionary(uniqueKeysWithValues: try await ReadSelectCommandTests.rows(harness, "Customers").map {
                ($0["CustomerID"] as? Int ?? 0, $0["Country"] as? String ?? "")
            })
            rows = try await ReadSelectCommandTests.rows(harness, "Orders").map {
                ($0["OrderID"] as? Int ?? 0, regionOf[countryOf[$0["CustomerID"] as? Int ?? 0] ?? ""] ?? "", $0["Channel"] as? String ?? "")
            }
        }

        func ids(regions: Set<String>, channels: Set<String>? = nil) -> [Int] {
            rows.filter { regions.contains($0.region) && channels?.contains($0.channel) != false }.map(\.id).sorted()
        }
    }

    @Test("--select reads only the orders associated with a region; two selections narrow each other; the summary names them")
    func associatedRows() async throws {
        let (harness, server) = try await Self.setUp()
        let orders = try await Orders(harness)
        let emea = orders.ids(regions: ["EMEA"])
        let selected = try await Self.rows(harness, "Orders", ["--select", "Region=EMEA"]).compactMap { $0["OrderID"] as? Int }.sorted()
        #expect(!emea.isEmpty && emea.count < orders.rows.count && selected == emea)
        let both = orders.ids(regions: ["EMEA", "APAC"], channels: ["Web"])
        let narrowed = try await Self.rows(harness, "Orders", ["--select", "Region=EMEA,APAC", "--select", "Channel=Web"]).compactMap { $0["OrderID"] as? Int }.sorted()
        #expect(!both.isEmpty && both.count < orders.ids(regions: ["EMEA", "APAC"]).count && narrowed == both)
        let printed = try await harness.succeed(["read", "S", "--app", "Sales Analysis", "--table", "Orders", "--fields", "OrderID,Channel",
                                                 "--select", "Channel=Web", "--to", harness.home + "/web.csv"])
        #expect(printed.stdout.contains("Only rows associated with the selections Channel=Web.") && !printed.stdout.contains("identical"), "\(printed.stdout)")
        #expect(await server.stop() == 0)
    }

    @Test("a value the field lacks names its nearest values, an unknown field lists the app's fields, a malformed --select says the form; nothing is written")
    func mistakes() async throws {
        let (harness, server) = try await Self.setUp()
        let target = harness.home + "/none.csv"
        let value = try await harness.run(["read", "S", "--app", "Sales Analysis", "--table", "Orders", "--select", "Region=Emea,Asia", "--to", target])
        #expect(value.status != 0 && value.stderr.contains("The field 'Region' has no value 'Emea' (nearest: 'EMEA'") && value.stderr.contains("nor 'Asia' (nearest: "),
                "\(value.stderr)")
        let field = try await harness.run(["read", "S", "--app", "Sales Analysis", "--table", "Orders", "--select", "Regoin=EMEA", "--to", target])
        #expect(field.status != 0 && field.stderr.contains("The app has no field 'Regoin' to select in. Did you mean 'Region'? Its fields: ")
                && field.stderr.contains("'OrderID'") && field.stderr.contains("'Country'"), "\(field.stderr)")
        let form = try await harness.run(["read", "S", "--app", "Sales Analysis", "--table", "Orders", "--select", "Region", "--to", target])
        #expect(form.status == 2 && form.stderr.contains("--select: 'Region' has no '='; expected FIELD=VALUE[,VALUE...]"), "\(form.status): \(form.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(await server.stop() == 0)
    }

    @Test("Airbyte: selections in the source config narrow every stream read; the spec offers them; malformed ones are config errors")
    func airbyte() async throws {
        let (harness, server) = try await Self.setUp()
        let apac = try await Orders(harness).ids(regions: ["APAC"])
        let config = try harness.file("source.json", #"{"connection": "S", "selections": [{"field": "Region", "values": ["APAC"]}]}"#)
        let catalog = try harness.file("catalog.json", #"""
            {"streams": [{"stream": {"name": "Orders", "namespace": "Sales Analysis", "json_schema": {}}, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"},
                         {"stream": {"name": "Regions", "namespace": "Sales Analysis", "json_schema": {}}, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}
            """#)
        let read = try AirbyteCommandTests.messages(try await harness.succeed(["airbyte", "read", "--config", config, "--catalog", catalog]).stdout)
        let records = read.compactMap { $0["record"] as? [String: Any] }
        #expect(records.filter { $0["stream"] as? String == "Orders" }.compactMap { ($0["data"] as? [String: Any])?["OrderID"] as? Int }.sorted() == apac)
        #expect(Set(records.filter { $0["stream"] as? String == "Regions" }.compactMap { ($0["data"] as? [String: Any])?["Region"] as? String }) == ["APAC"])
        let spec = try AirbyteCommandTests.messages(try await harness.succeed(["airbyte", "spec"]).stdout)
        let properties = ((spec.first?["spec"] as? [String: Any])?["connectionSpecification"] as? [String: Any])?["properties"] as? [String: [String: Any]]
        #expect(((properties?["selections"]?["items"] as? [String: Any])?["required"] as? [String]) == ["field", "values"])
        let bad = try harness.file("bad.json", #"{"connection": "S", "selections": [{"field": "Region", "values": []}]}"#)
        let refused = try await harness.run(["airbyte", "read", "--config", bad, "--catalog", catalog])
        let trace = try AirbyteCommandTests.traceError(refused)
        #expect(trace.type == "config_error" && trace.message.contains("selections[0]: The selection in 'Region' gives no value"), "\(trace)")
        #expect(await server.stop() == 0)
    }
}
