import Foundation
import QlikConnections
import Repository
import Testing

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
        #expect(ContinuousClock.now - started < .seconds(20), "well under the 300 s the command used to wait")
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
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(test.status == 1)
        #expect(test.stderr.contains("No agent of Secure Agent group 'EU Agents' is available"), "\(test.stderr)")
        #expect(test.stderr.contains("'eu-1' last sent one at") && test.stderr.contains("(10 min ago)") && test.stderr.contains("'eu-2' never sent a heartbeat"),
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
}
