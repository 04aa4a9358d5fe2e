import Foundation
import QlikConnections
import Repository
import Testing
import TestCommandLine

@Suite("Commands on a Secure Agent group with no agent available say so at once")
struct AgentAvailabilityCommandTests {
    /// Organization Acme, Secure Agent group "EU Agents" and connection "S" on it (never reached: no agent runs it).
    static func group() async throws -> CommandLineHarness {
        let harness = try CommandLineHarness()
        try await harness.succeed(["org", "create", "Acme"])
        try await harness.succeed(["runtime-env", "create", "EU Agents"])
        try await harness.succeed(["connection", "create", "S", "--runtime-env", "EU Agents", "--auth", "api-key",
                                   "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:KEY"], environment: ["KEY": "a-token"])
        return harness
    }

    static func tasks(_ harness: CommandLineHarness) async throws -> [[String: Any]] {
        let listed = try await harness.succeed(["task", "list", "--json"])
        return try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
    }

    @Test("connection test and discover on a group without agents answer at once, exit 1, name the group and the commands that create and start an agent, and queue nothing")
    func noAgent() async throws {
        let harness = try await Self.group()
        let started = ContinuousClock.now
        let test = try await harness.run(["connection", "test", "S"])
        #expect(ContinuousClock.now - started < .seconds(150), "well under the 300 s the command used to wait")
        #expect(test.status == 1)
        #expect(test.stderr.hasPrefix("error: Secure Agent group 'EU Agents' has no agent"), "\(test.stderr)")
        #expect(test.stderr.contains(#"'qlik-connector agent create "EU Agents" NAME --token-file FILE'"#))
        #expect(test.stderr.contains(#"'qlik-connector agent --service URL --token-file FILE --runtime-env "EU Agents"'"#))
        #expect(test.stderr.contains("Test Connection was not queued"))
        let discover = try await harness.run(["discover", "S"])
        #expect(discover.status == 1 && discover.stderr.contains("The discover task was not queued"), "\(discover.stderr)")
        #expect(try await Self.tasks(harness).isEmpty, "nothing left queued to run by surprise later")
    }

    @Test("an agent whose last heartbeat is stale does not count: the message lists each agent with its last heartbeat, and nothing is queued")
    func staleAgent() async throws {
        let harness = try await Self.group()
        try await harness.succeed(["agent", "create", "EU Agents", "eu-1", "--token-file", harness.home + "/eu-1.token"])
        try await harness.succeed(["agent", "create", "EU Agents", "eu-2", "--token-file", harness.home + "/eu-2.token"])
        let repository = try SQLiteRepository(path: harness.databasePath)
        let organization = try await repository.organization(named: "Acme")
        let stale = try #require(try await repository.agents(of: organization.id).first { $0.name == "eu-1" })
        try await repository.heartbeat(stale.id, host: "host-a", version: "0.1.0", at: Date().addingTimeInterval(-600))
        #expect(try await harness.succeed(["agent", "list"]).stdout.contains("unavailable"))
        let started = ContinuousClock.now
        let test = try await harness.run(["connection", "test", "S"])
        #expect(ContinuousClock.now - started < .seconds(150))
        #expect(test.status == 1)
        #expect(test.stderr.contains("No agent of Secure Agent group 'EU Agents' is available"), "\(test.stderr)")
        #expect(test.stderr.contains("'eu-1' last sent one at") && test.stderr.contains("(10 min ago; its lease is 20 s)") && test.stderr.contains("'eu-2' never sent a heartbeat"),
                "\(test.stderr)")
        #expect(test.stderr.contains(#"'qlik-connector agent --service URL --token-file FILE --runtime-env "EU Agents"'"#))
        #expect(try await Self.tasks(harness).isEmpty)
    }

    @Test("--agent-wait given explicitly queues the task and waits for an agent even when none is available")
    func explicitWait() async throws {
        let harness = try await Self.group()
        let started = ContinuousClock.now
        let test = try await harness.run(["connection", "test", "S", "--agent-wait", "1"])
        #expect(ContinuousClock.now - started >= .seconds(1), "it waited")
        #expect(test.status == 1 && test.stderr.contains("queued on Secure Agent group 'EU Agents'; waiting for one of its agents (up to 1 s)"), "\(test.stderr)")
        #expect(test.stderr.contains("is still queued after 1 s") && test.stderr.contains("It stays queued and runs when an agent of the group takes it"))
        let tasks = try await Self.tasks(harness)
        #expect(tasks.count == 1 && tasks.first?["state"] as? String == "queued" && tasks.first?["kind"] as? String == "test", "\(tasks)")
    }

    @Test("a command waiting on an agent stops at once when the group's last agent signs off: it explains why and says the task stays queued")
    func lastAgentStops() async throws {
        let harness = try await Self.group()
        try await harness.succeed(["agent", "create", "EU Agents", "eu-1", "--token-file", harness.home + "/eu-1.token"])
        let repository = try SQLiteRepository(path: harness.databasePath)
        let organization = try await repository.organization(named: "Acme")
        let agent = try #require(try await repository.agents(of: organization.id).first { $0.name == "eu-1" })
        try await repository.heartbeat(agent.id, host: "host-a", version: "0.1.0", lease: 300, at: Date())
        let started = ContinuousClock.now
        async let waiting = harness.run(["connection", "test", "S"])
        // Signed off once the command has queued its task and waits: a fixed pause lost that race when the machine was busy,
        // and the command then found no agent before queueing, which is another behaviour (tested above).
        while try await repository.tasks(of: organization.id, limit: 1).isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(200))
        try await repository.signOff(agent.id, at: Date())
        let test = try await waiting
        #expect(ContinuousClock.now - started < .seconds(150), "not the 300 s default wait, nor the agent's 300 s lease")
        #expect(test.status == 1 && test.stderr.contains("queued on Secure Agent group 'EU Agents'; waiting for one of its agents (up to 300 s)"), "\(test.stderr)")
        #expect(test.stderr.contains("error: Stopped waiting for task") && test.stderr.contains("No agent of Secure Agent group 'EU Agents' is available")
            && test.stderr.contains("'eu-1' last sent one at") && test.stderr.contains("and stopped at")
            && test.stderr.contains(#"'qlik-connector agent --service URL --token-file FILE --runtime-env "EU Agents"'"#)
            && test.stderr.contains("The task stays queued and runs when an agent of the group starts"), "\(test.stderr)")
        let tasks = try await Self.tasks(harness)
        #expect(tasks.count == 1 && tasks.first?["state"] as? String == "queued", "\(tasks)")
    }

    @Test("an agent stopped with SIGTERM signs off: agent list shows it unavailable at once and the next command does not wait for it")
    func agentSignsOff() async throws {
        let harness = try await Self.group()
        let tokenFile = harness.home + "/eu-1.token"
        try await harness.succeed(["agent", "create", "EU Agents", "eu-1", "--token-file", tokenFile])
        let server = try harness.start(["serve", "--port", "0"])
        let port = try await AgentCommandTests.port(of: server)
        let agent = try harness.start(["agent", "--service", "http://127.0.0.1:\(port)", "--token-file", tokenFile, "--runtime-env", "EU Agents"])
        #expect(await agent.nextLine()?.contains("Agent 'eu-1' of 'EU Agents' is taking tasks") == true)
        #expect(try await harness.succeed(["agent", "list"]).stdout.contains(" available "))
        #expect(await agent.stop() == 0, "SIGTERM stops the agent cleanly")
        let listed = try await harness.succeed(["agent", "list"]).stdout
        #expect(listed.contains("unavailable"), "well inside its 20 s lease: \(listed)")
        let started = ContinuousClock.now
        let test = try await harness.run(["connection", "test", "S"])
        #expect(ContinuousClock.now - started < .seconds(150))
        #expect(test.status == 1 && test.stderr.contains("'eu-1' last sent one at") && test.stderr.contains("and stopped at")
            && test.stderr.contains("Test Connection was not queued"), "\(test.stderr)")
        #expect(await server.stop() == 0)
    }
}
