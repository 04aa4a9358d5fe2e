import Foundation
import QlikConnections
import Runtime
import Testing

@Suite("Whether a Secure Agent group has an agent to take its tasks")
struct AgentAvailabilityTests {
    static let organization = OrganizationID()
    static func group(_ name: String) throws -> RuntimeEnvironment {
        RuntimeEnvironment(organizationID: organization, name: try RuntimeEnvironmentName(name), kind: .secureAgentGroup)
    }

    @Test("an agent counts only when heard from within the window agent list uses; others' agents do not count; the explanation lists each and the commands")
    func availability() throws {
        let group = try Self.group("EU Agents"), elsewhere = try Self.group("US Agents")
        let now = Date()
        func agent(_ name: String, in environment: RuntimeEnvironment, heardAgo seconds: TimeInterval?) -> Agent {
            Agent(organizationID: Self.organization, runtimeEnvironmentID: environment.id, name: name,
                  lastHeartbeatAt: seconds.map { now.addingTimeInterval(-$0) })
        }
        let none = AgentAvailability(group: group, agents: [agent("us-1", in: elsewhere, heardAgo: 1)], checkedAt: now)
        #expect(!none.hasAvailableAgent && none.agents.isEmpty, "another group's agent does not serve this one")
        #expect(none.explanation.contains("Secure Agent group 'EU Agents' has no agent") && none.explanation.contains(#"agent create "EU Agents" NAME"#))

        let stale = AgentAvailability(group: group, agents: [agent("eu-2", in: group, heardAgo: nil), agent("eu-1", in: group, heardAgo: Agent.defaultLease + 70)],
                                      checkedAt: now)
        #expect(!stale.hasAvailableAgent && stale.available.isEmpty)
        #expect(stale.explanation.contains("'eu-1' last sent one at") && stale.explanation.contains("(90 s ago; its lease is 20 s); 'eu-2' never sent a heartbeat"),
                "\(stale.explanation)")
        #expect(stale.explanation.contains(#"'qlik-connector agent --service URL --token-file FILE --runtime-env "EU Agents"'"#))

        let alive = AgentAvailability(group: group, agents: [agent("eu-1", in: group, heardAgo: 5), agent("eu-2", in: group, heardAgo: 600)], checkedAt: now)
        #expect(alive.hasAvailableAgent && alive.available.map(\.name) == ["eu-1"])
    }

    @Test("each agent is judged by its own lease, and one that signed off counts as unavailable at once; the explanation says it stopped")
    func ownLeaseAndSignOff() throws {
        let group = try Self.group("EU Agents")
        let now = Date()
        let long = Agent(organizationID: Self.organization, runtimeEnvironmentID: group.id, name: "eu-long", lastHeartbeatAt: now.addingTimeInterval(-50), lease: 60)
        let short = Agent(organizationID: Self.organization, runtimeEnvironmentID: group.id, name: "eu-short", lastHeartbeatAt: now.addingTimeInterval(-50), lease: 20)
        #expect(AgentAvailability(group: group, agents: [long, short], checkedAt: now).available.map(\.name) == ["eu-long"], "50 s is within 60 s, not within 20 s")

        let stopped = Agent(organizationID: Self.organization, runtimeEnvironmentID: group.id, name: "eu-1", lastHeartbeatAt: now.addingTimeInterval(-2),
                            lease: 60, stoppedAt: now.addingTimeInterval(-1))
        let availability = AgentAvailability(group: group, agents: [stopped], checkedAt: now)
        #expect(!availability.hasAvailableAgent, "signed off 1 s ago, inside its 60 s lease")
        #expect(availability.explanation.contains("'eu-1' last sent one at") && availability.explanation.contains("(2 s ago) and stopped at"), "\(availability.explanation)")
    }
}
