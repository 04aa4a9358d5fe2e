import Foundation
import QlikConnections
import Repository
import Runtime
import Testing

@Suite("Whether a wait for a task on a Secure Agent group goes on: the decision the command line and the API share")
struct AgentWatchTests {
    /// The agents of one organization, kept in memory: the watch needs nothing else of a repository.
    actor Agents: AgentStore {
        private var all: [AgentID: Agent] = [:]

        func createAgent(_ agent: Agent, tokenHash: Data, by actor: AuditActor) async throws { all[agent.id] = agent }
        func agent(forTokenHash hash: Data) async throws -> Agent? { nil }
        func heartbeat(_ agent: AgentID, host: String, version: String, lease: TimeInterval, at: Date) async throws {
            all[agent]?.lastHeartbeatAt = at
            all[agent]?.lease = lease
            all[agent]?.stoppedAt = nil
        }
        func signOff(_ agent: AgentID, at: Date) async throws { all[agent]?.stoppedAt = at }
        func agents(of organization: OrganizationID) async throws -> [Agent] { all.values.filter { $0.organizationID == organization } }
    }

    static let organization = OrganizationID()
    static let actor = AuditActor("test")

    @Test("it goes on while an agent of the group is alive and stops at the first look after the last one signs off, with why; never on the serverless environment")
    func stopsWhenNoAgentIsLeft() async throws {
        let group = RuntimeEnvironment(organizationID: Self.organization, name: try RuntimeEnvironmentName("EU Agents"), kind: .secureAgentGroup)
        let serverless = RuntimeEnvironment(organizationID: Self.organization, name: try RuntimeEnvironmentName("Serverless"), kind: .serverless)
        let agents = Agents()
        #expect(AgentWatch(serverless, in: agents) == nil, "the service's own workers are always there")
        let agent = Agent(organizationID: Self.organization, runtimeEnvironmentID: group.id, name: "eu-1")
        try await agents.createAgent(agent, tokenHash: Data(), by: Self.actor)
        try await agents.heartbeat(agent.id, host: "host-a", version: "1", lease: 60, at: Date())
        var watch = try #require(AgentWatch(group, in: agents, interval: .zero))
        #expect(try await watch.noAgentLeft() == nil, "an agent is alive: keep waiting")
        try await agents.signOff(agent.id, at: Date())
        let gone = try #require(try await watch.noAgentLeft(), "signed off inside its lease: stop at once")
        #expect(gone.group.name.value == "EU Agents" && gone.explanation.contains("'eu-1' last sent one at") && gone.explanation.contains("and stopped at")
            && gone.explanation.contains(#"--runtime-env "EU Agents""#), "\(gone.explanation)")
    }

    @Test("asked to wait regardless (--agent-wait), it goes on with no agent at all")
    func regardless() async throws {
        let group = RuntimeEnvironment(organizationID: Self.organization, name: try RuntimeEnvironmentName("EU Agents"), kind: .secureAgentGroup)
        var watch = try #require(AgentWatch(group, in: Agents(), regardless: true, interval: .zero))
        #expect(try await watch.noAgentLeft() == nil)
        var plain = try #require(AgentWatch(group, in: Agents(), interval: .zero))
        #expect(try await plain.noAgentLeft()?.agents.isEmpty == true, "the same group without regardless stops: it has no agent")
    }

    @Test("the agents are looked up at most once per interval, so a tight polling loop costs one query per interval")
    func throttled() async throws {
        let group = RuntimeEnvironment(organizationID: Self.organization, name: try RuntimeEnvironmentName("EU Agents"), kind: .secureAgentGroup)
        let agents = Agents()
        let agent = Agent(organizationID: Self.organization, runtimeEnvironmentID: group.id, name: "eu-1")
        try await agents.createAgent(agent, tokenHash: Data(), by: Self.actor)
        try await agents.heartbeat(agent.id, host: "host-a", version: "1", lease: 60, at: Date())
        var watch = try #require(AgentWatch(group, in: agents, interval: .seconds(3_600)))
        #expect(try await watch.noAgentLeft() == nil)
        try await agents.signOff(agent.id, at: Date())
        #expect(try await watch.noAgentLeft() == nil, "not looked at again within the interval")
    }
}
