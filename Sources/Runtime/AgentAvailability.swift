public import Foundation
public import QlikConnections
public import Repository

/// Whether a Secure Agent group has an agent alive to take its tasks, and
/// if not, why and what to do: the one place the command line and the API
/// decide whether a task on the group is worth waiting for.
public struct AgentAvailability: Sendable {
    public let group: RuntimeEnvironment
    /// The group's agents, by name.
    public let agents: [Agent]
    public let checkedAt: Date

    /// Agents heard from recently enough to take a task (the window `agent list` shows as available).
    public var available: [Agent] { agents.filter { $0.isAvailable(at: checkedAt) } }
    public var hasAvailableAgent: Bool { !available.isEmpty }

    public init(group: RuntimeEnvironment, agents: [Agent], checkedAt: Date = Date()) {
        self.group = group
        self.agents = agents.filter { $0.runtimeEnvironmentID == group.id }.sorted { $0.name < $1.name }
        self.checkedAt = checkedAt
    }

    /// The agents of `group` as the repository knows them; nil for the serverless environment, whose workers are the service's own.
    public static func of(_ group: RuntimeEnvironment, in repository: any AgentStore, now: Date = Date()) async throws -> AgentAvailability? {
        guard group.kind == .secureAgentGroup else { return nil }
        return AgentAvailability(group: group, agents: try await repository.agents(of: group.organizationID), checkedAt: now)
    }

    /// The command that starts an agent of the group on a machine that reaches the tenant.
    public var startCommand: String {
        "qlik-connector agent --service URL --token-file FILE --runtime-env \"\(group.name)\""
    }

    /// The command that creates an agent of the group, and its token.
    public var createCommand: String {
        "qlik-connector agent create \"\(group.name)\" NAME --token-file FILE"
    }

    /// Why no agent of the group takes its tasks: the group, each agent with its last heartbeat (or that it never sent one),
    /// and the commands that create and start one.
    public var explanation: String {
        guard !agents.isEmpty else {
            return "Secure Agent group '\(group.name)' has no agent, so nothing runs its tasks. Create one with '\(createCommand)', "
                + "then start it on a machine that reaches the tenant with '\(startCommand)'."
        }
        let heard = agents.map { agent in
            guard let last = agent.lastHeartbeatAt else { return "'\(agent.name)' never sent a heartbeat" }
            let sent = "'\(agent.name)' last sent one at \(last.formatted(.iso8601)) (\(Self.age(checkedAt.timeIntervalSince(last))) ago"
            if let stopped = agent.stoppedAt { return sent + ") and stopped at \(stopped.formatted(.iso8601))" }
            return sent + "; its lease is \(Self.age(agent.lease)))"
        }
        return "No agent of Secure Agent group '\(group.name)' is available (none is running and sent a heartbeat within its lease): "
            + heard.joined(separator: "; ") + ". Start one on a machine that reaches the tenant with '\(startCommand)' "
            + "(FILE holds that agent's token), or add another with '\(createCommand)'."
    }

    /// A duration as a person reads it: seconds, minutes, hours or days.
    static func age(_ seconds: TimeInterval) -> String {
        let whole = max(0, Int(seconds))
        switch whole {
        case ..<120: return "\(whole) s"
        case ..<7_200: return "\(whole / 60) min"
        case ..<172_800: return "\(whole / 3_600) h"
        default: return "\(whole / 86_400) days"
        }
    }
}
