import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestProcesses
import Testing
import TestCommandLine
import TestRepositories

@Suite("qlik-connector serve and user: the service from the command line")
struct ServeCommandTests {
    @Test("the first administrator and their token come from 'user create --admin --token'; serve answers the API with it over a real socket")
    func serve() async throws {
        let harness = try CommandLineHarness()
        try await harness.succeed(["org", "create", "Acme"])
        let created = try await harness.succeed(["user", "create", "ada@acme.example", "--admin", "--password-from", "env:ADA_PASSWORD", "--token", "first"],
                                                environment: ["ADA_PASSWORD": "correct horse battery staple"])
        let token = try #require(created.stdout.split(separator: "\n").last.map(String.init))
        #expect(token.hasPrefix("qcs_") && created.stdout.contains("Created admin ada@acme.example"))
        let weak = try await harness.run(["user", "create", "bob@acme.example", "--password-from", "env:BOB_PASSWORD"], environment: ["BOB_PASSWORD": "short"])
        #expect(weak.status == 2 && weak.stderr.contains("12 to 256 characters") && !weak.stderr.contains("short\n"))
        #expect(try await harness.succeed(["user", "list"]).stdout.contains("ada@acme.example\tadmin"))
        let server = try harness.start(["serve", "--port", "0"])
        let banner = try #require(await server.nextLine())
        let port = try #require(banner.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) })
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)/api/v1/me")))
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (body, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self).contains(#""email":"ada@acme.example""#))
        let (health, _) = try await URLSession.shared.data(from: try #require(URL(string: "http://127.0.0.1:\(port)/health")))
        #expect(String(decoding: health, as: UTF8.self).contains("ok"))
        #expect(await server.stop() == 0, "SIGTERM stops the service gracefully")
        #expect(try harness.repositoryBytes().range(of: Data(token.utf8)) == nil)
        #expect(try harness.repositoryBytes().range(of: Data("correct horse battery staple".utf8)) == nil)
    }
}

@Suite("qlik-connector serve with no administrator yet")
struct SetupLinkCommandTests {
    @Test("serve prints a one-time setup link whose page creates the first administrator")
    func printsSetupLink() async throws {
        let harness = try CommandLineHarness()
        let server = try harness.start(["serve", "--port", "0"])
        var lines: [String] = []
        while lines.count < 3, let line = await server.nextLine() { lines.append(line) }
        let setupLine = try #require(lines.first { $0.hasPrefix("No administrator yet") }, "\(lines)")
        let link = try #require(setupLine.split(separator: " ").first { $0.hasPrefix("http://") }.map(String.init))
        let (page, response) = try await URLSession.shared.data(from: try #require(URL(string: link)))
        #expect((response as? HTTPURLResponse)?.statusCode == 200 && String(decoding: page, as: UTF8.self).contains("Set up QlikConnector"))
        #expect(await server.stop() == 0)
        let secret = try #require(link.components(separatedBy: "token=").last)
        #expect(try harness.repositoryBytes().range(of: Data(secret.utf8)) == nil, "the link's secret is not stored")
    }
}

@Suite("Service replicas sharing one PostgreSQL database")
struct SharedDatabaseTests {
    @Test("two 'serve --database postgres://' replicas and the CLI see one repository; the database password is never printed")
    func replicas() async throws {
        let url = try await TestPostgres.createDatabase()
        let password = try #require(URLComponents(string: url)?.password)
        let harness = try CommandLineHarness()
        // From the environment, as a user keeps a password out of the process list.
        harness.environment["QLIK_CONNECTOR_DATABASE"] = url
        try await harness.succeed(["org", "create", "Acme"])
        let created = try await harness.succeed(["user", "create", "ada@acme.example", "--admin", "--token", "first"])
        let token = try #require(created.stdout.split(separator: "\n").last.map(String.init))
        let first = try harness.start(["serve", "--port", "0"])
        let second = try harness.start(["serve", "--port", "0"])
        var ports: [Int] = []
        for server in [first, second] {
            let banner = try #require(await server.nextLine())
            ports.append(try #require(banner.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) }))
            let repositoryLine = try #require(await server.nextLine())
            #expect(repositoryLine.contains("postgres://qc:***@127.0.0.1") && !repositoryLine.contains(password), "\(repositoryLine)")
        }
        func call(_ port: Int, _ method: String, _ path: String, body: String? = nil, key: String? = nil) async throws -> (Int, String) {
            var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
            request.httpMethod = method
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            if let key { request.setValue(key, forHTTPHeaderField: "Idempotency-Key") }
            if let body {
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                request.httpBody = Data(body.utf8)
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }
        let body = #"{"name":"Sales EU","runtimeEnvironment":"Serverless","authenticationType":"api-key","baseURL":"https://acme.eu.qlikcloud.com","accessToken":"tok-123"}"#
        #expect(try await call(ports[0], "POST", "/api/v1/connections", body: body, key: "create-sales-eu").0 == 201)
        // The same key on the other replica answers the first answer: the key lives in the shared database.
        #expect(try await call(ports[1], "POST", "/api/v1/connections", body: body, key: "create-sales-eu").0 == 201)
        #expect(try await call(ports[1], "POST", "/api/v1/connections", body: body).0 == 409)
        let (status, listed) = try await call(ports[1], "GET", "/api/v1/connections")
        #expect(status == 200 && listed.contains(#""name":"Sales EU""#) && listed.contains(#""total":1"#), "\(listed)")
        #expect(try await harness.succeed(["connection", "list"]).stdout.contains("Sales EU"))
        #expect(try await call(ports[0], "DELETE", "/api/v1/connections/Sales%20EU").0 == 200)
        #expect(try await call(ports[1], "GET", "/api/v1/connections/Sales%20EU").0 == 404)
        #expect(await first.stop() == 0)
        #expect(await second.stop() == 0)
        #expect(!harness.transcript.contains(password), "the database password was printed")
        let stored = try await TestPostgres.storedBytes(of: url)
        #expect(stored.range(of: Data("tok-123".utf8)) == nil && stored.range(of: Data(token.utf8)) == nil)
        #expect(String(decoding: stored, as: UTF8.self).contains("connection.delete"), "the audit trail is in the shared database")
    }
}

@Suite("The service fuzzed against its own OpenAPI document")
struct ServiceFuzzTests {
    static var schemathesis: String? {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates: [String?] = [ProcessInfo.processInfo.environment["SCHEMATHESIS"], repository.appendingPathComponent(".venv-schemathesis/bin/schemathesis").path]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("schemathesis: no 5xx and no answer outside the document, over every operation",
          .enabled(if: ServiceFuzzTests.schemathesis != nil && ProcessInfo.processInfo.environment["SCHEMATHESIS_UNAVAILABLE"] == nil,
                   "schemathesis is installed by scripts/test"))
    func fuzz() async throws {
        let harness = try CommandLineHarness()
        try await harness.succeed(["org", "create", "Fuzz"])
        try await harness.succeed(["hosts", "allow", "127.0.0.1:*"])
        let created = try await harness.succeed(["user", "create", "fuzz@example.com", "--admin", "--token", "fuzz"])
        let token = try #require(created.stdout.split(separator: "\n").last.map(String.init))
        let server = try harness.start(["serve", "--port", "0"])
        let banner = try #require(await server.nextLine())
        let port = try #require(banner.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) })
        // Checks on the document's promises (unsupported_method: other methods get 405 with Allow); semantic 422s for
        // schema-valid input (positive_data_acceptance) are the rules at work.
        // The token's own revocation is left out: it would end the run; the Swift API tests cover it.
        let arguments = ["run", "http://127.0.0.1:\(port)/openapi.json", "-H", "Authorization: Bearer \(token)",
                         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,negative_data_rejection,unsupported_method",
                         "--exclude-operation-id", "revokeToken", "--exclude-operation-id", "revokeUserToken",
                         // Agents' own routes take an agent's token, not this user's: the agent tests drive them.
                         "--exclude-operation-id", "agentHeartbeat", "--exclude-operation-id", "agentClaim", "--exclude-operation-id", "agentRenewLease",
                         "--exclude-operation-id", "agentFinishTask", "--exclude-operation-id", "agentTaskLogs", "--exclude-operation-id", "agentStop",
                         "-n", "40", "--generation-deterministic", "--no-color"]
        let run = try await ChildProcess.run(try #require(Self.schemathesis), arguments,
                                             environment: ["PATH": "/usr/bin:/bin", "HOME": harness.home, "SCHEMATHESIS_HOOKS": ""])
        let text = run.text + run.errors
        #expect(run.status == 0, "schemathesis found problems:\n\(text.suffix(6000))")
        #expect(!text.contains("Authentication failed"), "the fuzz run lost its token:\n\(text.suffix(3000))")
        #expect(await server.stop() == 0)
    }
}
