import Foundation
import Testing
import TestCommandLine

@Suite("qlik-connector connection test")
struct ConnectionTestCommandTests {
    struct Report: Decodable {
        struct Step: Decodable {
            let name: String
            let verdict: String
            let detail: String
            let hint: String?
        }
        let steps: [Step]
        let authentication: String
    }

    @Test("both authentication types pass against the sandbox; a bad key fails with its diagnosis; show prints the last test; no planted secret anywhere")
    func endToEnd() async throws {
        let harness = try CommandLineHarness()
        let plantedSecret = "planted-client-secret-\(UUID().uuidString)"
        let plantedKey = "planted-key-\(UUID().uuidString)"
        let fixture = try harness.file("tenant.json", """
            {"users": [{"name": "Ada", "email": "ada@example.com", "apiKeys": [{"token": "\(plantedKey)"}],
                        "oauthClients": [{"clientId": "fixture-client", "clientSecret": "\(plantedSecret)"}]}]}
            """)
        let server = try harness.start(["sandbox", "--port", "0", "--json", "--fixture", fixture])
        let line = try #require(await server.nextLine())
        let baseURL = try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["baseURL"] as? String)
        let wrongKey = "planted-wrong-\(UUID().uuidString)"
        let environment = ["KEY": plantedKey, "WRONG": wrongKey, "CLIENT": "fixture-client", "SECRET": plantedSecret, "HTTPS_PROXY": "", "HTTP_PROXY": ""]
        try await harness.succeed(["org", "create", "Acme"])
        try await harness.succeed(["hosts", "allow", "127.0.0.1:*"])
        try await harness.succeed(["connection", "create", "Key", "--runtime-env", "Serverless", "--auth", "api-key", "--base-url", baseURL,
                                   "--access-token-from", "env:KEY"], environment: environment)
        try await harness.succeed(["connection", "create", "Client", "--runtime-env", "Serverless", "--auth", "oauth2", "--base-url", baseURL,
                                   "--client-id-from", "env:CLIENT", "--client-secret-from", "env:SECRET"], environment: environment)
        try await harness.succeed(["connection", "create", "Wrong", "--runtime-env", "Serverless", "--auth", "api-key", "--base-url", baseURL,
                                   "--access-token-from", "env:WRONG"], environment: environment)
        let key = try await harness.succeed(["connection", "test", "key"], environment: environment)
        #expect(key.stdout.contains("Authenticated as Ada <ada@example.com>") && key.stdout.contains("Connection OK"))
        let client = try await harness.succeed(["connection", "test", "Client", "--json"], environment: environment)
        let report = try JSONDecoder().decode(Report.self, from: Data(client.stdout.utf8))
        #expect(report.authentication == "OAuth 2.0" && report.steps.allSatisfy { $0.verdict == "passed" })
        #expect(report.steps.map(\.name).contains("OAuth token exchange"))
        let wrong = try await harness.run(["connection", "test", "Wrong"], environment: environment)
        #expect(wrong.status == 1)
        #expect(wrong.stdout.contains("FAIL Authenticated call") && wrong.stdout.contains("What to do: The API key is expired, revoked"))
        let shown = try await harness.succeed(["connection", "show", "Wrong"])
        #expect(shown.stdout.contains("Last test") && shown.stdout.contains("FAILED"))
        let audit = try await harness.succeed(["audit", "list"])
        #expect(audit.stdout.contains("connection.test.failed") && audit.stdout.contains("connection.test.passed"))
        // Each test ran as a task on the connection's environment (here the serverless one: in the command itself), with its log.
        let tasks = try JSONSerialization.jsonObject(with: Data(try await harness.succeed(["task", "list", "--json"]).stdout.utf8)) as? [[String: Any]] ?? []
        #expect(tasks.map { "\($0["kind"] ?? "") \($0["connection"] ?? "") \($0["state"] ?? "") \($0["runtimeEnvironment"] ?? "")" }.sorted()
                == ["test Client succeeded Serverless", "test Key succeeded Serverless", "test Wrong failed Serverless"])
        let wrongTask = try #require(tasks.first { $0["connection"] as? String == "Wrong" }?["id"] as? String)
        let log = try await harness.succeed(["task", "logs", wrongTask])
        #expect(log.stdout.contains("Testing connection 'Wrong'") && log.stdout.contains("failed: Authenticated call"), "\(log.stdout)")
        #expect(await server.stop() == 0)
        let stored = try harness.repositoryBytes()
        for secret in [plantedSecret, plantedKey, wrongKey] {
            #expect(!harness.transcript.contains(secret), "the transcript shows a secret")
            #expect(stored.range(of: Data(secret.utf8)) == nil, "the database holds a secret in plain text")
        }
    }
}
