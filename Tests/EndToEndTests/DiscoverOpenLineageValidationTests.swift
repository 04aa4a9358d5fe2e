import Foundation
import TestProcesses
import Testing
import TestCommandLine

/// The python of the virtualenv that scripts/openlineage/setup.sh fills from PyPI (openlineage-python, jsonschema);
/// scripts/test names it.
private let openLineagePython = ProcessInfo.processInfo.environment["QLIK_CONNECTOR_TEST_OPENLINEAGE_PYTHON"] ?? ""

@Suite("discover --format openlineage, checked by OpenLineage's own validator (openlineage-python)",
       .enabled(if: !openLineagePython.isEmpty,
                "QLIK_CONNECTOR_TEST_OPENLINEAGE_PYTHON is not set: these tests need the openlineage-python virtualenv that scripts/test makes (scripts/openlineage/setup.sh); run 'bash scripts/test'"))
struct DiscoverOpenLineageValidationTests {
    @Test("every event discover writes for the default sandbox is valid OpenLineage: the run event, schema, columnLineage, and the chart-usage facet against docs/openlineage's schema")
    func defaultSandboxEventsAreValid() async throws {
        let harness = try CommandLineHarness()
        let server = try await defaultSandbox(harness)
        let events = try await harness.succeed(["discover", "S", "--format", "openlineage"])
        // The check covers column lineage and chart usage only because the events carry them.
        #expect(events.stdout.contains(#""columnLineage""#) && events.stdout.contains(#""qlikConnector_chartUsage""#))
        let check = try await openLineageCheck(harness, events.stdout)
        #expect(check.status == 0 && check.output.contains("events valid (openlineage-python"), "\(check.output)")
        #expect(await server.stop() == 0)
    }

    @Test("the checker bites: a columnLineage field without inputFields is refused, naming where; the same event with them passes")
    func columnLineageWithoutInputFieldsIsRefused() async throws {
        let harness = try CommandLineHarness()
        let inputField = #"{"inputFields": [{"namespace": "tenant/lineage", "name": "orders.csv", "field": "Amount"}]}"#
        func event(_ amount: String) -> String {
            #"{"eventType": "COMPLETE", "eventTime": "2026-12-06T05:43:24.614Z", "run": {"runId": "0b6f3a52-9c1e-4d7a-8f00-1c2d3e4f5a6b"}, "#
                + #""job": {"namespace": "tenant", "name": "Sales"}, "inputs": [], "producer": "https://github.com/qlik-connector/qlik-connector", "#
                + #""schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent", "#
                + #""outputs": [{"namespace": "tenant/apps", "name": "Sales", "facets": {"columnLineage": {"_producer": "https://github.com/qlik-connector/qlik-connector", "#
                + #""_schemaURL": "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet", "#
                + #""fields": {"Amount": \#(amount)}}}}]}"#
        }
        let broken = try await openLineageCheck(harness, event("{}"))
        #expect(broken.status == 1)
        #expect(broken.output.contains("outputs[0].facets.columnLineage.fields.Amount: the spec's Fields requires 'inputFields'"), "\(broken.output)")
        let whole = try await openLineageCheck(harness, event(inputField))
        #expect(whole.status == 0, "\(whole.output)")
    }

    /// scripts/openlineage/check.py on the events, its status and what it printed (through a file, so no pipe fills).
    private func openLineageCheck(_ harness: CommandLineHarness, _ events: String) async throws -> (status: Int32, output: String) {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let input = try harness.file("events-\(UUID().uuidString).ndjson", events)
        let run = try await ChildProcess.run(openLineagePython, [repository.appendingPathComponent("scripts/openlineage/check.py").path, input])
        return (run.status, run.text + run.errors)
    }

    /// The default sandbox tenant, with a connection named S to it.
    private func defaultSandbox(_ harness: CommandLineHarness) async throws -> CommandLineHarness.Server {
        let server = try harness.start(["sandbox", "--port", "0", "--json"])
        let line = try #require(await server.nextLine(), "the sandbox printed nothing")
        let started = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let baseURL = try #require(started["baseURL"] as? String), key = try #require(started["apiKey"] as? String)
        try await harness.succeed(["org", "create", "Acme"])
        try await harness.succeed(["hosts", "allow", "127.0.0.1:*"])
        try await harness.succeed(["connection", "create", "S", "--runtime-env", "Serverless", "--auth", "api-key", "--base-url", baseURL,
                                   "--access-token-from", "env:KEY"], environment: ["KEY": key])
        return server
    }
}
