import Foundation
import Testing
import TestCommandLine
import TestRepositories

/// An allow-list entry this version cannot read (kept by a looser version, or written by hand) admits nothing and stops
/// nothing else; the operator sees it in `hosts list` and takes it off with `hosts remove`.
@Suite("hosts: an entry that no longer parses is skipped with a warning, listed as refused, and removed by its text")
struct RefusedHostEntryCommandTests {
    @Test("with a bad row in tenant_hosts, connection create still works (warning naming the entry and the remove command); hosts list shows it refused, --json keeps only patterns on standard output; hosts remove takes it off", arguments: RepositoryBackend.allCases)
    func refusedEntry(_ backend: RepositoryBackend) async throws {
        let store = try await TestRepository.make(backend)
        let cli = try CommandLineHarness()
        cli.environment["QLIK_CONNECTOR_DATABASE"] = store.location
        let bad = "https://old.example.com/tenant"
        try await cli.succeed(["org", "create", "Acme"])
        try await cli.succeed(["hosts", "allow", "127.0.0.1:*"])
        try await store.execute(["INSERT INTO tenant_hosts (pattern, added_at, added_by) VALUES ('\(bad)', 0, 'hand')"])

        let created = try await cli.succeed(["connection", "create", "Sandbox", "--runtime-env", "Serverless", "--auth", "api-key",
                                             "--base-url", "http://127.0.0.1:9090", "--access-token-from", "env:T"], environment: ["T": "x"])
        #expect(created.stderr.contains("'\(bad)'") && created.stderr.contains("qlik-connector hosts remove '\(bad)'"), "\(created.stderr)")

        let listed = try await cli.succeed(["hosts", "list"]).stdout
        #expect(listed.contains("127.0.0.1:*") && listed.contains("\(bad)    refused: not a host pattern")
            && listed.contains("Remove it with qlik-connector hosts remove '\(bad)'"), "\(listed)")
        let json = try await cli.succeed(["hosts", "list", "--json"])
        #expect(try json.json([String].self) == ["127.0.0.1:*"])
        #expect(json.stderr.contains("refused"), "\(json.stderr)")

        #expect(try await cli.succeed(["hosts", "remove", bad]).stdout.contains("Removed \(bad)."))
        #expect(try await cli.succeed(["hosts", "list", "--json"]).json([String].self) == ["127.0.0.1:*"])
        #expect(!(try await cli.succeed(["hosts", "list"]).stdout.contains("refused")))
    }
}
