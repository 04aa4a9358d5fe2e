import ConnectorAPI
import Foundation
import QlikConnections
import Repository
import Runtime

/// Runtime environments: everyone reads them (the connection form lists them); administrators change them.
extension GeneratedAPI {
    func listRuntimeEnvironments(_ input: Operations.ListRuntimeEnvironments.Input) async throws -> Operations.ListRuntimeEnvironments.Output {
        let principal = try GeneratedCallScope.callingUser()
        let environments = try await service.repository.runtimeEnvironments(of: principal.organizationID)
        return .ok(.init(body: .json(environments.map(Components.Schemas.RuntimeEnvironment.init))))
    }

    func createRuntimeEnvironment(_ input: Operations.CreateRuntimeEnvironment.Input) async throws -> Operations.CreateRuntimeEnvironment.Output {
        let principal = try GeneratedCallScope.callingUser()
        try principal.require(.admin)
        let asked = switch input.body { case .json(let body): body }
        let environment = RuntimeEnvironment(organizationID: principal.organizationID, name: try RuntimeEnvironmentName(asked.name), kind: .secureAgentGroup)
        try await service.repository.createRuntimeEnvironment(environment, by: service.actor(principal))
        return .created(.init(body: .json(.init(environment))))
    }

    func deleteRuntimeEnvironment(_ input: Operations.DeleteRuntimeEnvironment.Input) async throws -> Operations.DeleteRuntimeEnvironment.Output {
        let principal = try GeneratedCallScope.callingUser()
        try principal.require(.admin)
        let environment = try await service.repository.deleteRuntimeEnvironment(named: input.path.name, in: principal.organizationID,
                                                                                by: service.actor(principal))
        // Its agents went with it: this replica forgets their tokens now (others within the cache's 5 s, when the agents can
        // claim nothing, since the group's tasks went too).
        service.agentTokens.forgetAll()
        return .ok(.init(body: .json(.init(environment))))
    }
}

/// Designers ping an environment: a no-op task its workers take, answered at once as pending, with the group's available agents.
extension GeneratedAPI {
    func pingRuntimeEnvironment(_ input: Operations.PingRuntimeEnvironment.Input) async throws -> Operations.PingRuntimeEnvironment.Output {
        let principal = try GeneratedCallScope.callingUser()
        try principal.require(.designer)
        let environments = try await service.repository.runtimeEnvironments(of: principal.organizationID)
        let environment = try environments.named(input.path.name, organization: nil)
        let milliseconds = input.query.milliseconds ?? 0
        guard (0...600_000).contains(milliseconds) else { throw APIError.invalid("milliseconds", "milliseconds is \(milliseconds); expected 0 to 600000.") }
        let task = TaskRecord(organizationID: principal.organizationID, runtimeEnvironmentID: environment.id, connectionID: nil, connectionName: nil,
                              kind: .noop, payload: try TaskResults.encode(NoopPayload(milliseconds: milliseconds)), requestedBy: service.actor(principal).name)
        try await service.repository.enqueue(task)
        // Answered as every queued task is: with the group's available agents, and why nothing takes it when none is.
        let pending = try await service.pending(task, environments: environments)
        return .accepted(.init(headers: .init(location: pending.location), body: .json(pending.answer)))
    }
}
