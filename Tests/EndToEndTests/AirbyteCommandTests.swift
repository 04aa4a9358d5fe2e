import Foundation
import Testing
import TestCommandLine

@Suite("qlik-connector airbyte: the Airbyte protocol")
struct AirbyteCommandTests {
    static func messages(_ stdout: String) throws -> [[String: Any]] {
        try stdout.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test("records written through the destination reload into an app and come back through the source, value for value; spec, check and discover speak Airbyte")
    func destinationThenSource() async throws {
        let harness = try CommandLineHarness()
        let (server, baseURL) = try await harness.sandboxConnection(fixture: #"""
            {"users": [{"name": "Ada", "email": "ada@example.com", "apiKeys": [{"token": "sbx_airbyte"}]}],
             "apps": [{"name": "Airbyte App", "script": "orders:\nLOAD * FROM [lib://DataFiles/orders.qvd] (qvd);"}]}
            """#, key: "sbx_airbyte")
        let destinationConfig = try harness.file("destination.json", #"{"connection": "S", "data_file_format": "qvd", "reload_apps": ["Airbyte App"]}"#)
        let sourceConfig = try harness.file("source.json", #"{"connection": "S", "apps": ["Airbyte*"]}"#)
        let catalog = try harness.file("catalog.json", #"""
            {"streams": [{"stream": {"name": "orders", "namespace": "Airbyte App", "json_schema": {}}, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}
            """#)
        let records: [[String: Any]] = [
            ["amount": 2.5, "id": 1, "region": "EU"],
            ["amount": 7, "id": 2, "region": "US, East"],
            ["amount": -0.125, "id": 3, "region": "日本"],
        ]
        let input = try records.map { record in
            String(decoding: try JSONSerialization.data(withJSONObject: ["type": "RECORD", "record": ["stream": "orders", "emitted_at": 1, "data": record]]), as: UTF8.self)
        }.joined(separator: "\n") + "\n" + #"{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"orders"},"stream_state":{"cursor":3}}}}"#
        let written = try await harness.succeed(["airbyte", "write", "--config", destinationConfig, "--catalog", catalog], stdin: input)
        let writeMessages = try Self.messages(written.stdout)
        #expect(writeMessages.last?["type"] as? String == "STATE", "the state comes back once the data is in place")
        #expect(writeMessages.contains { ($0["log"] as? [String: Any])?["message"] as? String == "Reloaded 'Airbyte App'." })

        let garbage = try await harness.run(["airbyte", "write", "--config", destinationConfig, "--catalog", catalog], stdin: "this is not json\n")
        #expect(garbage.status == 1 && garbage.stdout.contains("Input line 1 is not an Airbyte message") && garbage.stdout.contains("config_error"))
        let spec = try Self.messages(try await harness.succeed(["airbyte", "spec"]).stdout)
        #expect(spec.first?["type"] as? String == "SPEC")
        let check = try Self.messages(try await harness.succeed(["airbyte", "check", "--config", sourceConfig]).stdout)
        #expect((check.first?["connectionStatus"] as? [String: Any])?["status"] as? String == "SUCCEEDED")
        let planted = "planted-airbyte-\(UUID().uuidString)"
        // An inline sandbox URL is admitted through the organization that allows custom tenant hosts.
        let badConfig = try harness.file("bad.json", #"{"base_url": "\#(baseURL)", "organization": "Acme", "auth_type": "api_key", "api_key": "\#(planted)"}"#)
        let failedCheck = try await harness.succeed(["airbyte", "check", "--config", badConfig])
        #expect(failedCheck.stdout.contains("FAILED") && !failedCheck.stdout.contains(planted) && !failedCheck.stderr.contains(planted))

        let discovered = try Self.messages(try await harness.succeed(["airbyte", "discover", "--config", sourceConfig]).stdout)
        let streams = try #require((discovered.first?["catalog"] as? [String: Any])?["streams"] as? [[String: Any]])
        #expect(streams.count == 1 && streams[0]["name"] as? String == "orders" && streams[0]["namespace"] as? String == "Airbyte App")
        let properties = try #require((streams[0]["json_schema"] as? [String: Any])?["properties"] as? [String: [String: Any]])
        #expect(properties["id"]?["type"] as? [String] == ["null", "integer"] && properties["region"]?["type"] as? [String] == ["null", "string"])

        let read = try Self.messages(try await harness.succeed(["airbyte", "read", "--config", sourceConfig, "--catalog", catalog]).stdout)
        let data = read.filter { $0["type"] as? String == "RECORD" }.compactMap { ($0["record"] as? [String: Any])?["data"] as? [String: Any] }
        #expect(data.count == 3)
        for (got, expected) in zip(data, records) {
            #expect(got["id"] as? Int == expected["id"] as? Int)
            #expect(got["region"] as? String == expected["region"] as? String)
            #expect((got["amount"] as? NSNumber)?.doubleValue == (expected["amount"] as? NSNumber)?.doubleValue)
        }
        #expect(read.contains { $0["type"] as? String == "STATE" })
        #expect(await server.stop() == 0)
    }

    /// The TRACE error a command emitted, and its failure type.
    static func traceError(_ run: CommandLineHarness.Run) throws -> (message: String, type: String) {
        let error = try #require(try messages(run.stdout).compactMap { ($0["trace"] as? [String: Any])?["error"] as? [String: Any] }.first, "\(run.stdout)")
        return (error["message"] as? String ?? "", error["failure_type"] as? String ?? "")
    }

    @Test("an inline base_url outside Qlik Cloud needs an entry on the operator's allow-list; each refusal says why and what to do; spec says the same")
    func inlineCustomHost() async throws {
        let harness = try CommandLineHarness()
        try await harness.succeed(["org", "create", "Strict"])
        let inline = #""base_url": "http://127.0.0.1:9", "auth_type": "api_key", "api_key": "a-key""#
        let unnamed = try await harness.run(["airbyte", "check", "--config", try harness.file("unnamed.json", "{\(inline)}")])
        let unlisted = try Self.traceError(unnamed)
        #expect(unnamed.status == 1 && unlisted.type == "config_error")
        #expect(unlisted.message.contains("allow-list") && unlisted.message.contains("qlik-connector hosts allow '127.0.0.1:9'"), "\(unlisted.message)")
        let named = try Self.traceError(try await harness.run(["airbyte", "check", "--config", try harness.file("strict.json", #"{"organization": "Strict", \#(inline)}"#)]))
        #expect(named.message.contains("qlik-connector hosts allow '127.0.0.1:9'"), "an organization admits nothing by itself: \(named.message)")
        let unknown = try Self.traceError(try await harness.run(["airbyte", "check", "--config", try harness.file("unknown.json", #"{"organization": "Nope", \#(inline)}"#)]))
        #expect(unknown.type == "config_error" && unknown.message.contains("No organization named 'Nope'"), "\(unknown)")
        let old = try Self.traceError(try await harness.run(["airbyte", "check", "--config", try harness.file("old.json", #"{"allow_custom_host": true, \#(inline)}"#)]))
        #expect(old.message.contains("qlik-connector hosts allow HOST:PORT") && old.message.contains("remove it from the config"), "\(old.message)")
        let malformed = try Self.traceError(try await harness.run(["airbyte", "check", "--config",
                                                                    try harness.file("malformed.json", #"{"organization": "Strict", "base_url": "https://x@127.0.0.1:9", "api_key": "k"}"#)]))
        #expect(malformed.message.contains("user information") && !malformed.message.contains("allow-list"), "not fixed by the list: \(malformed.message)")
        let spec = try Self.messages(try await harness.succeed(["airbyte", "spec"]).stdout)
        let properties = try #require(((spec.first?["spec"] as? [String: Any])?["connectionSpecification"] as? [String: Any])?["properties"] as? [String: [String: Any]])
        #expect(properties["organization"]?["type"] as? String == "string" && properties["base_url"]?["pattern"] as? String == "^https?://")
        #expect((properties["base_url"]?["description"] as? String)?.contains("operator's tenant host allow-list") == true)
    }
}
