import ConnectorAPI
import Foundation
import QlikConnections
import Repository

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
