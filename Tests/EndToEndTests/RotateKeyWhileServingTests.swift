import Foundation
import Testing
import TestCommandLine
import TestRepositories

@Suite("connection rotate-key while serve runs")
struct RotateKeyWhileServingTests {
    static func succeeded(_ answer: ServeHTTP.Answer) -> Bool {
        answer.status == 200 && ((try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any])?["succeeded"] as? Bool == true
    }

    @Test("a running serve keeps working across rotate-key run by another process on its database, without a restart: creates succeed (no 409), stored credentials open, Test Connection on the serverless environment passes",
          arguments: RepositoryBackend.allCases)
    func rotateUnderRunningService(_ backend: RepositoryBackend) async throws {
        let harness = try CommandLineHarness()
        if backend == .postgres { harness.environment["QLIK_CONNECTOR_DATABASE"] = try await TestPostgres.createDatabase() }
        harness.environment["HTTPS_PROXY"] = ""
        harness.environment["HTTP_PROXY"] = ""
        let tenantKey = "sbx_rotate_\(UUID().uuidString)"
        let (sandbox, baseURL) = try await harness.sandboxConnection(fixture: #"""
            {"users": [{"name": "Ada", "email": "ada@example.com", "apiKeys": [{"token": "\#(tenantKey)"}]}]}
            """#, key: tenantKey)
        let created = try await harness.succeed(["user", "create", "ada@acme.example", "--admin", "--token", "first"])
        let token = try #require(created.stdout.split(separator: "\n").last.map(String.init))
        let server = try harness.start(["serve", "--port", "0"])
        let api = ServeHTTP(port: try await ServeHTTP.port(of: server), token: token)
        func create(_ name: String) async throws -> ServeHTTP.Answer {
            try await api.call("POST", "/api/v1/connections", json: #"""
                {"name":"\#(name)","runtimeEnvironment":"Serverless","authenticationType":"api-key","baseURL":"\#(baseURL)","accessToken":"\#(tenantKey)"}
                """#)
        }
        #expect(try await create("Before").status == 201)
        #expect(Self.succeeded(try await api.call("POST", "/api/v1/connections/S/test")))

        for round in 1...2 {
            // Another process rotates: every stored credential is re-sealed under a new key the service has never seen.
            let rotated = try await harness.succeed(["connection", "rotate-key", "--json"])
            let result = try JSONSerialization.jsonObject(with: Data(rotated.stdout.utf8)) as? [String: Any]
            #expect(result?["resealed"] as? Int == round + 1, "\(rotated.stdout)")
            let after = try await create("After \(round)")
            #expect(after.status == 201, "create after rotation \(round): \(after.status) \(after.errorCode ?? "") \(after.body)")
            // Credentials sealed before the rotation (re-sealed by it) and after it open in the serverless worker.
            for name in ["S", "Before", "After%20\(round)"] {
                let tested = try await api.call("POST", "/api/v1/connections/\(name)/test")
                #expect(Self.succeeded(tested), "Test Connection of \(name) after rotation \(round): \(tested.status) \(tested.body)")
            }
        }
        #expect(try await harness.succeed(["connection", "test", "After 2"]).stdout.contains("Connection OK"), "the CLI opens what the service sealed")
        #expect(await server.stop() == 0)
        #expect(await sandbox.stop() == 0)
    }
}
