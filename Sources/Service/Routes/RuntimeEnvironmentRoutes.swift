import Foundation
import Hummingbird
import QlikConnections
import Repository
import ConnectorAPI

/// Runtime environments: everyone reads them (the connection form lists them); administrators change them.
extension ConnectorService {
    struct NewRuntimeEnvironment: Decodable {
        let name: String
    }

    func addRuntimeEnvironmentRoutes(to api: RouterGroup<ServiceContext>) {
        let service = self
        let repository = self.repository
        api.get("runtime-environments") { _, context -> Response in
            let principal = try context.requirePrincipal()
            return try ServiceJSON.response(try await repository.runtimeEnvironments(of: principal.organizationID).map(RuntimeEnvironmentView.init))
        }
        api.post("runtime-environments") { request, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.admin)
            let asked = try await request.decodeJSON(NewRuntimeEnvironment.self)
            let environment = RuntimeEnvironment(organizationID: principal.organizationID, name: try RuntimeEnvironmentName(asked.name),
                                                 kind: .secureAgentGroup)
            try await repository.createRuntimeEnvironment(environment, by: service.actor(principal))
            return try ServiceJSON.response(RuntimeEnvironmentView(environment), status: .created)
        }
        api.delete("runtime-environments/:name") { _, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.admin)
            let name = try context.pathParameter("name")
            let environment = try await repository.deleteRuntimeEnvironment(named: name, in: principal.organizationID, by: service.actor(principal))
            // Its agents went with it: this replica forgets their tokens now (others within the cache's 5 s, when the
            // agents can claim nothing, since the group's tasks went too).
            service.agentTokens.forgetAll()
            return try ServiceJSON.response(RuntimeEnvironmentView(environment))
        }
    }
}
