import ConnectorAPI
import Foundation
import QlikConnections
import Repository
import Secrets

/// One connection by name: everyone reads it; designers and administrators change and delete it. Secret fields are
/// write-only: a change that leaves one out (or empty) keeps what is stored. (Listing, creating and testing connections,
/// whose answers are bytes kept as first written, are Routes/ConnectionRoutes.swift.)
extension GeneratedAPI {
    func getConnection(_ input: Operations.GetConnection.Input) async throws -> Operations.GetConnection.Output {
        let principal = try GeneratedCallScope.callingUser()
        let shown = try await service.connectionManagement.connection(named: input.path.name, in: principal.organizationID)
        return .ok(.init(body: .json(.init(shown.connection, environments: shown.environments, lastTest: shown.lastTest))))
    }

    func updateConnection(_ input: Operations.UpdateConnection.Input) async throws -> Operations.UpdateConnection.Output {
        let principal = try GeneratedCallScope.callingUser()
        try principal.require(.designer)
        let asked = switch input.body { case .json(let body): body }
        let (connection, environments) = try await service.updateConnection(named: input.path.name, with: asked.draft(), by: principal)
        let lastTest = try await service.repository.lastTest(of: connection.id)
        return .ok(.init(body: .json(.init(connection, environments: environments, lastTest: lastTest))))
    }

    func deleteConnection(_ input: Operations.DeleteConnection.Input) async throws -> Operations.DeleteConnection.Output {
        let principal = try GeneratedCallScope.callingUser()
        try principal.require(.designer)
        let (connection, environments) = try await service.connectionManagement.delete(named: input.path.name, in: principal.organizationID,
                                                                                      by: service.actor(principal))
        return .ok(.init(body: .json(.init(connection, environments: environments))))
    }
}

extension Components.Schemas.ConnectionInput {
    /// The connection form: a credential is given as its value or, with Use Secret Vault, as a reference
    /// (`accessTokenReference`, ...); an empty value means "keep" (on create, "missing", which validation names).
    func draft() -> ConnectionDraft<CredentialValue> {
        func credential(_ value: String?, _ reference: String?) -> CredentialInput<CredentialValue>? {
            if let reference, !reference.isEmpty { return .reference(reference) }
            guard let value, let secret = Secret(value) else { return nil }
            return .value(.new(secret))
        }
        return ConnectionDraft(
            name: name, description: description, runtimeEnvironment: runtimeEnvironment, useSecretVault: useSecretVault,
            authenticationType: authenticationType?.rawValue, baseURL: baseURL,
            accessToken: credential(accessToken, accessTokenReference),
            clientID: credential(clientID, clientIDReference),
            clientSecret: credential(clientSecret, clientSecretReference))
    }
}
