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

        let stale = AgentAvailability(group: group, agents: [agent("eu-2", in: group, heardAgo: nil), agent("eu-1", in: group, heardAgo: Agent.availabilityWindow + 30)],
                                      checkedAt: now)
        #expect(!stale.hasAvailableAgent && stale.available.isEmpty)
        #expect(stale.explanation.contains("'eu-1' last sent one at") && stale.explanation.contains("(90 s ago); 'eu-2' never sent a heartbeat"), "\(stale.explanation)")
        #expect(stale.explanation.contains(#"'qlik-connector agent --service URL --token-file FILE --runtime-env "EU Agents"'"#))

        let alive = AgentAvailability(group: group, agents: [agent("eu-1", in: group, heardAgo: 5), agent("eu-2", in: group, heardAgo: 600)], checkedAt: now)
        #expect(alive.hasAvailableAgent && alive.available.map(\.name) == ["eu-1"])
    }
}
