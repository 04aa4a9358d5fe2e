import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestCommandLine
import TestRepositories

@Suite("Secure Agents: tasks of a group pulled by its agents, and taken over when one dies")
struct AgentCommandTests {
    /// Calls the service's API with a token; answers status and JSON.
    static func call(_ port: Int, _ method: String, _ path: String, token: String) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }

    static func port(of server: CommandLineHarness.Server) async throws -> Int {
        let banner = try #require(await server.nextLine())
        return try #require(banner.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) })
    }

    @Test("a token file holding a personal API token instead of an agent token is refused before the agent starts (exit 2), naming both kinds, never the token")
    func personalTokenRefused() async throws {
        let harness = try CommandLineHarness()
        let personal = "qcs_" + String(repeating: "A", count: 43)
        let file = try harness.file("agent.token", personal + "\n")
        let run = try await harness.run(["agent", "--service", "http://127.0.0.1:1", "--token-file", file, "--runtime-env", "EU Agents"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("does not hold an agent token: This is a personal API token (qcs_...), but a Secure Agent token (qca_...) is expected here.")
            && run.stderr.contains("qlik-connector agent create") && !run.stderr.contains(personal), "\(run.stderr)")
    }

    @Test("an agent of the connection's group runs Test Connection against the tenant; the task, its log and the agent are listed")
    func testConnectionOnAgent() async throws {
        let harness = try CommandLineHarness()
        let (sandbox, _) = try await harness.sandboxConnection(fixture: #"""
            {"users": [{"name": "Ada", "email": "ada@example.com", "apiKeys": [{"token": "sbx_agent_planted_key"}]}]}
            """#, key: "sbx_agent_planted_key", on: "Agents")
        let created = try await harness.succeed(["user", "create", "ada@acme.example", "--admin", "--token", "first"])
        let token = try #require(created.stdout.split(separator: "\n").last.map(String.init))
        let tokenFile = harness.home + "/eu-1.token"
        try await harness.succeed(["agent", "create", "Agents", "eu-1", "--token-file", tokenFile])
        let server = try harness.start(["serve", "--port", "0"])
        let port = try await Self.port(of: server)
        let wrong = try await harness.run(["agent", "--service", "http://127.0.0.1:\(port)", "--token-file", tokenFile, "--runtime-env", "Elsewhere"])
        #expect(wrong.status != 0 && wrong.stderr.contains("belongs to agent 'eu-1' of runtime environment 'Agents', not 'Elsewhere'"), "\(wrong.stderr)")
        let insecure = try await harness.run(["agent", "--service", "http://agents.example.com", "--token-file", tokenFile])
        #expect(insecure.status == 2 && insecure.stderr.contains("https://"))
        // No agent yet: the command stops waiting and says the task stays queued; the agent runs it once started.
        let early = try await harness.run(["discover", "S", "--agent-wait", "1"])
        #expect(early.status == 1 && early.stderr.contains("It stays queued and runs when an agent of the group takes it"), "\(early.stderr)")
        let agentFiles = harness.home + "/agent-files"
        let agent = try harness.start(["agent", "--service", "http://127.0.0.1:\(port)", "--token-file", tokenFile, "--runtime-env", "Agents",
                                       "--files-dir", agentFiles])
        #expect(await agent.nextLine()?.contains("Agent 'eu-1' of 'Agents' is taking tasks") == true)
        let (status, report) = try await Self.call(port, "POST", "/api/v1/connections/S/test", token: token)
        #expect(status == 200 && report["succeeded"] as? Bool == true, "\(report)")
        var listed: [[String: Any]] = []
        for _ in 0..<100 {
            let tasks = try await harness.succeed(["task", "list", "--json"])
            listed = try #require(try JSONSerialization.jsonObject(with: Data(tasks.stdout.utf8)) as? [[String: Any]])
            if listed.allSatisfy({ ["succeeded", "failed"].contains($0["state"] as? String) }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(listed.count == 2 && listed.allSatisfy { $0["state"] as? String == "succeeded" && $0["runtimeEnvironment"] as? String == "Agents" },
                "\(listed)")
        let id = try #require(listed.first { $0["kind"] as? String == "test" }?["id"] as? String)
        // Data commands queue tasks the agent runs: their files are on the agent's machine, inside its files folder.
        try Data("id,city\n1,Oslo\n2,Lima\n".utf8).write(to: URL(fileURLWithPath: agentFiles + "/cities.csv"))
        let written = try await harness.succeed(["write", "S", "--from", "cities.csv", "--data-file", "cities.qvd", "--agent-wait", "60"])
        #expect(written.stdout.contains("Created data file 'cities.qvd'") && written.stderr.contains("queued on Secure Agent group 'Agents'"), "\(written)")
        let read = try await harness.succeed(["read", "S", "--data-file", "cities.qvd", "--to", "out/cities.csv", "--agent-wait", "60"])
        // Named relative to the agent's files folder: the task's result is shown to the organization, not only to the agent's operator.
        #expect(read.stdout.contains("Read 2 rows of 2 fields into out/cities.csv"), "\(read.stdout)")
        #expect(try String(contentsOfFile: agentFiles + "/out/cities.csv", encoding: .utf8) == "id,city\r\n1,Oslo\r\n2,Lima\r\n")
        let catalog = try await harness.succeed(["discover", "S", "--json", "--agent-wait", "60"])
        #expect(catalog.stdout.contains("\"cities.qvd\""))
        let escape = try await harness.run(["read", "S", "--data-file", "cities.qvd", "--to", "../escape.csv", "--agent-wait", "60"])
        #expect(escape.status == 2 && escape.stderr.contains("outside this runtime environment's files folder"), "\(escape.stderr)")
        let kinds = try JSONSerialization.jsonObject(with: Data(try await harness.succeed(["task", "list", "--json"]).stdout.utf8)) as? [[String: Any]] ?? []
        #expect(kinds.map { "\($0["kind"] ?? "") \($0["state"] ?? "") \($0["runtimeEnvironment"] ?? "")" }
                == ["read failed Agents", "discover succeeded Agents", "read succeeded Agents", "write succeeded Agents", "test succeeded Agents",
                    "discover succeeded Agents"])
        #expect(try await harness.succeed(["task", "logs", id]).stdout.contains("Testing connection 'S'"))
        #expect(try await harness.succeed(["agent", "list"]).stdout.contains("available"))
        #expect(await agent.stop() == 0, "SIGTERM stops the agent cleanly")
        #expect(await server.stop() == 0)
        #expect(await sandbox.stop() == 0)
        #expect(!harness.transcript.contains("sbx_agent_planted_key\n") && !harness.transcript.contains(#""accessToken":"sbx_agent_planted_key""#))
    }

    @Test("an agent killed mid-task loses its lease; another agent of the group runs the task to the end, as its second attempt")
    func failover() async throws {
        let harness = try CommandLineHarness()
        try await harness.succeed(["org", "create", "Acme"])
        try await harness.succeed(["runtime-env", "create", "Agents"])
        let created = try await harness.succeed(["user", "create", "ada@acme.example", "--admin", "--token", "first"])
        let token = try #require(created.stdout.split(separator: "\n").last.map(String.init))
        try await harness.succeed(["agent", "create", "Agents", "one", "--token-file", harness.home + "/one.token"])
        try await harness.succeed(["agent", "create", "Agents", "two", "--token-file", harness.home + "/two.token"])
        let server = try harness.start(["serve", "--port", "0"])
        let port = try await Self.port(of: server)
        let first = try harness.start(["agent", "--service", "http://127.0.0.1:\(port)", "--token-file", harness.home + "/one.token", "--lease", "2"])
        _ = await first.nextLine()
        let (queued, task) = try await Self.call(port, "POST", "/api/v1/runtime-environments/Agents/ping?milliseconds=15000", token: token)
        #expect(queued == 202)
        let id = try #require(task["id"] as? String)
        var state = ""
        for _ in 0..<100 where state != "running" {
            try await Task.sleep(for: .milliseconds(50))
            state = try await Self.call(port, "GET", "/api/v1/tasks/\(id)", token: token).1["state"] as? String ?? ""
        }
        #expect(state == "running")
        kill(first.process.processIdentifier, SIGKILL)
        let killedAt = Date()
        let second = try harness.start(["agent", "--service", "http://127.0.0.1:\(port)", "--token-file", harness.home + "/two.token", "--lease", "2"])
        _ = await second.nextLine()
        var finished: [String: Any] = [:]
        while Date().timeIntervalSince(killedAt) < 60 {
            finished = try await Self.call(port, "GET", "/api/v1/tasks/\(id)", token: token).1
            if finished["state"] as? String == "succeeded" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(finished["state"] as? String == "succeeded" && finished["attempts"] as? Int == 2, "\(finished)")
        // The lease (2 s) runs out, the second agent takes the task and runs its 15 s again. (A 4 s task let a loaded
        // machine's slow status answer arrive after the first agent had already finished it: attempts 1.)
        #expect(Date().timeIntervalSince(killedAt) < 35)
        _ = await first.stop()
        #expect(await second.stop() == 0)
        #expect(await server.stop() == 0)
    }
}

@Suite("Secret-vault connections on Secure Agents, with AWS Secrets Manager (moto)")
struct AgentSecretVaultTests {
    @Test("the agent resolves the access token from AWS Secrets Manager; a rotation is picked up; a missing key fails naming the reference")
    func secretVaultOnAgent() async throws {
        let moto = try MotoSecrets.endpoint()
        let harness = try CommandLineHarness()
        let key = "sbx_vaulted_\(UUID().uuidString.prefix(8))"
        let (sandbox, baseURL) = try await harness.sandboxConnection(fixture: #"""
            {"users": [{"name": "Ada", "email": "ada@example.com", "apiKeys": [{"token": "\#(key)"}]}]}
            """#, key: key, on: "Agents")
        let secretName = "qc/agent-\(UUID().uuidString.prefix(8))"
        try await MotoSecrets.put(secretName, #"{"apiKey": "\#(key)"}"#)
        try await harness.succeed(["org", "set", "--secrets-manager", "aws", "--aws-region", "us-east-1", "--aws-endpoint", moto])
        for (name, reference, environment) in [("Vaulted", "\(secretName):apiKey", "Agents"), ("Missing", "\(secretName):noSuchKey", "Agents"),
                                               ("Nearby", "\(secretName):apiKey", "Serverless")] {
            try await harness.succeed(["connection", "create", name, "--runtime-env", environment, "--auth", "api-key", "--base-url", baseURL,
                                       "--use-secret-vault", "--access-token-ref", reference])
        }
        let created = try await harness.succeed(["user", "create", "ada@acme.example", "--admin", "--token", "first"])
        let token = try #require(created.stdout.split(separator: "\n").last.map(String.init))
        try await harness.succeed(["agent", "create", "Agents", "vaulted", "--token-file", harness.home + "/vaulted.token"])
        let server = try harness.start(["serve", "--port", "0"])
        let port = try await AgentCommandTests.port(of: server)
        harness.environment["AWS_ACCESS_KEY_ID"] = "testing"
        harness.environment["AWS_SECRET_ACCESS_KEY"] = "testing"
        let agent = try harness.start(["agent", "--service", "http://127.0.0.1:\(port)", "--token-file", harness.home + "/vaulted.token", "--secret-ttl", "1"])
        _ = await agent.nextLine()
        let (status, report) = try await AgentCommandTests.call(port, "POST", "/api/v1/connections/Vaulted/test", token: token)
        #expect(status == 200 && report["succeeded"] as? Bool == true, "\(report)")
        // On the serverless environment the command is the worker: it reads the secret with this shell's AWS credentials.
        let nearby = try await harness.succeed(["connection", "test", "Nearby"])
        #expect(nearby.stdout.contains("Connection OK"), "\(nearby.stdout)")
        // Rotated to a key the tenant does not know: after the agent's cache time the test fails at the authenticated call.
        try await MotoSecrets.put(secretName, #"{"apiKey": "sbx_revoked_key"}"#)
        try await Task.sleep(for: .milliseconds(1200))
        let (_, rotated) = try await AgentCommandTests.call(port, "POST", "/api/v1/connections/Vaulted/test", token: token)
        #expect(rotated["succeeded"] as? Bool == false, "\(rotated)")
        let (missingStatus, missing) = try await AgentCommandTests.call(port, "POST", "/api/v1/connections/Missing/test", token: token)
        let message = ((missing["error"] as? [String: Any])?["message"] as? String) ?? ""
        #expect(missingStatus == 409 && message.contains("noSuchKey") && message.contains(secretName) && !message.contains(key), "\(missing)")
        #expect(await agent.stop() == 0)
        #expect(await server.stop() == 0)
        _ = await sandbox.stop()
        #expect(!harness.transcript.contains(key + "\n"))
    }
}

@Suite("Secret-vault connections on Secure Agents, with HashiCorp Vault (a Vault written in the tests)")
struct AgentVaultTests {
    @Test("the agent logs in with the AppRole the organization keeps and reads the key from Vault KV v2; the command waits for it; a missing key is named, never a value")
    func vaultOnAgent() async throws {
        let harness = try CommandLineHarness()
        let key = "sbx_vault_\(UUID().uuidString.prefix(8))"
        let (sandbox, baseURL) = try await harness.sandboxConnection(fixture: #"""
            {"users": [{"name": "Ada", "email": "ada@example.com", "apiKeys": [{"token": "\#(key)"}]}]}
            """#, key: key, on: "Agents")
        let vault = FakeVault(lease: 60)
        vault.put("secret/qlik/prod", ["apiKey": key])
        try await vault.withRunning { address in
            // The AppRole is kept in the organization's settings (sealed): the agent's environment has none.
            let set = try await harness.succeed(["org", "set", "--secrets-manager", "vault", "--vault-address", address,
                                                 "--vault-role-id-from", "env:ROLE", "--vault-secret-id-from", "env:SECRET"],
                                                environment: ["ROLE": vault.roleID, "SECRET": vault.secretID])
            #expect(set.stdout.contains("its credentials kept in the settings (sealed)") && !set.stdout.contains(vault.secretID), "\(set.stdout)")
            for (name, reference) in [("Vaulted", "secret/data/qlik/prod:apiKey"), ("Missing", "secret/data/qlik/prod:noSuchKey")] {
                try await harness.succeed(["connection", "create", name, "--runtime-env", "Agents", "--auth", "api-key", "--base-url", baseURL,
                                           "--use-secret-vault", "--access-token-ref", reference])
            }
            try await harness.succeed(["agent", "create", "Agents", "vaulted", "--token-file", harness.home + "/vaulted.token"])
            let server = try harness.start(["serve", "--port", "0"])
            let port = try await AgentCommandTests.port(of: server)
            let agent = try harness.start(["agent", "--service", "http://127.0.0.1:\(port)", "--token-file", harness.home + "/vaulted.token"])
            _ = await agent.nextLine()
            let passed = try await harness.succeed(["connection", "test", "Vaulted", "--agent-wait", "60"])
            #expect(passed.stdout.contains("Connection OK") && passed.stderr.contains("queued on Secure Agent group 'Agents'"), "\(passed)")
            let missing = try await harness.run(["connection", "test", "Missing", "--agent-wait", "60"])
            #expect(missing.status == 1 && missing.stderr.contains("noSuchKey") && missing.stderr.contains("qlik/prod") && missing.stderr.contains("apiKey"),
                    "\(missing.stderr)")
            #expect(vault.state.withLock { $0.tokens.count } == 1, "one AppRole login served both tasks")
            #expect(await agent.stop() == 0)
            #expect(await server.stop() == 0)
            let stray = try await harness.run(["org", "set", "--secrets-manager", "vault", "--vault-address", address, "--aws-region", "eu-west-1"])
            #expect(stray.status == 2 && stray.stderr.contains("--aws-region does not go with --secrets-manager vault"), "\(stray.stderr)")
            let both = try await harness.run(["org", "set", "--manager-credentials-from-environment", "--vault-role-id-from", "env:ROLE"],
                                             environment: ["ROLE": vault.roleID])
            #expect(both.status == 2 && both.stderr.contains("--manager-credentials-from-environment keeps none"), "\(both.stderr)")
            let cleared = try await harness.succeed(["org", "set", "--manager-credentials-from-environment"])
            #expect(cleared.stdout.contains("its credentials from the environment where each task runs"), "\(cleared.stdout)")
        }
        _ = await sandbox.stop()
        #expect(!harness.transcript.contains(key + "\n") && !harness.transcript.contains(vault.secretID))
        #expect(try harness.repositoryBytes().range(of: Data(vault.secretID.utf8)) == nil, "the AppRole's secret id is kept sealed")
    }
}

@Suite("Credentials kept on the Secure Agents (local-agent storage)")
struct AgentLocalCredentialsTests {
    @Test("the service stores no credential; the agent that has them runs the test (API key and OAuth 2.0), the one without says how to set them")
    func localAgentStorage() async throws {
        let harness = try CommandLineHarness()
        let key = "sbx_local_\(UUID().uuidString.prefix(8))"
        let clientSecret = "planted-client-secret-\(UUID().uuidString)"
        let sandbox = try harness.start(["sandbox", "--port", "0", "--json", "--fixture", try harness.file("tenant.json", #"""
            {"users": [{"name": "Ada", "email": "ada@example.com", "apiKeys": [{"token": "\#(key)"}],
                        "oauthClients": [{"clientId": "local-client", "clientSecret": "\#(clientSecret)"}]}]}
            """#)])
        let line = try #require(await sandbox.nextLine())
        let baseURL = try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["baseURL"] as? String)
        try await harness.succeed(["org", "create", "Acme", "--credential-storage", "local-agent"])
        try await harness.succeed(["hosts", "allow", "127.0.0.1:*"])
        try await harness.succeed(["runtime-env", "create", "Agents"])
        try await harness.succeed(["connection", "create", "Local", "--runtime-env", "Agents", "--auth", "api-key", "--base-url", baseURL])
        try await harness.succeed(["connection", "create", "Local OAuth", "--runtime-env", "Agents", "--auth", "oauth2", "--base-url", baseURL])
        let created = try await harness.succeed(["user", "create", "ada@acme.example", "--admin", "--token", "first"])
        let token = try #require(created.stdout.split(separator: "\n").last.map(String.init))
        for name in ["keeper", "stranger"] {
            try await harness.succeed(["agent", "create", "Agents", name, "--token-file", harness.home + "/\(name).token"])
        }
        try await harness.succeed(["agent", "credentials", "set", "Local", "--access-token-from", "env:QLIK_KEY", "--data-dir", harness.home + "/keeper"],
                                  environment: ["QLIK_KEY": key])
        try await harness.succeed(["agent", "credentials", "set", "local oauth", "--client-id-from", "env:CID", "--client-secret-from", "env:CSECRET",
                                   "--data-dir", harness.home + "/keeper"], environment: ["CID": "local-client", "CSECRET": clientSecret])
        let halfSet = try await harness.run(["agent", "credentials", "set", "Local OAuth", "--client-id-from", "env:CID", "--data-dir", harness.home + "/x"],
                                            environment: ["CID": "local-client"])
        #expect(halfSet.status == 2 && halfSet.stderr.contains("--client-secret-from"), "an OAuth connection needs both: \(halfSet.stderr)")
        let server = try harness.start(["serve", "--port", "0"])
        let port = try await AgentCommandTests.port(of: server)
        let stranger = try harness.start(["agent", "--service", "http://127.0.0.1:\(port)", "--token-file", harness.home + "/stranger.token",
                                          "--data-dir", harness.home + "/stranger"])
        _ = await stranger.nextLine()
        let (refusedStatus, refused) = try await AgentCommandTests.call(port, "POST", "/api/v1/connections/Local/test", token: token)
        let message = ((refused["error"] as? [String: Any])?["message"] as? String) ?? ""
        #expect(refusedStatus == 409 && message.contains("has no credentials for connection 'Local'") && message.contains("agent credentials set"), "\(refused)")
        #expect(await stranger.stop() == 0)
        let keeper = try harness.start(["agent", "--service", "http://127.0.0.1:\(port)", "--token-file", harness.home + "/keeper.token",
                                        "--data-dir", harness.home + "/keeper"])
        _ = await keeper.nextLine()
        let (status, report) = try await AgentCommandTests.call(port, "POST", "/api/v1/connections/Local/test", token: token)
        #expect(status == 200 && report["succeeded"] as? Bool == true, "\(report)")
        let (oauthStatus, oauthReport) = try await AgentCommandTests.call(port, "POST", "/api/v1/connections/Local%20OAuth/test", token: token)
        #expect(oauthStatus == 200 && oauthReport["succeeded"] as? Bool == true && oauthReport["authentication"] as? String == "OAuth 2.0", "\(oauthReport)")
        #expect(await keeper.stop() == 0)
        #expect(await server.stop() == 0)
        _ = await sandbox.stop()
        for secret in [key, clientSecret] {
            #expect(try harness.repositoryBytes().range(of: Data(secret.utf8)) == nil, "the service's database holds no credential")
            #expect(!harness.transcript.contains(secret))
            let store = try String(contentsOfFile: harness.home + "/keeper/credentials.json", encoding: .utf8)
            #expect(!store.contains(secret), "the agent's store is sealed")
        }
    }
}
