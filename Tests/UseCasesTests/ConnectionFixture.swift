import Foundation
import QlikConnections
import Repository
import Secrets
import TestRepositories
import UseCases

/// A task fixture with a master key registered, for the connection use cases.
struct ConnectionFixture {
    let base: TaskFixture
    var repository: any ConnectorRepository { base.repository }
    var organization: Organization { base.organization }
    var actor: AuditActor { base.actor }
    let key = MasterKey.generate()

    init(_ backend: RepositoryBackend) async throws {
        base = try await TaskFixture(backend)
        _ = try await base.repository.activeMasterKeyID(registeringIfNone: key.id)
    }

    var keys: SealingKeys { SealingKeys(.fixed(Keyring(active: key))) }
    var management: ConnectionManagement { ConnectionManagement(repository: repository, keys: keys) }

    /// An API-key connection to a Qlik Cloud tenant on `environment`, its token given now.
    static func draft(_ name: String, token: String = "first-token", on environment: String = "Serverless") throws -> ConnectionDraft<CredentialValue> {
        guard let secret = Secret(token) else { throw FixtureError("'\(token)' is no secret.") }
        return ConnectionDraft(name: name, runtimeEnvironment: environment, authenticationType: "api-key", baseURL: "https://acme.eu.qlikcloud.com",
                               accessToken: .value(.new(secret)))
    }

    /// The stored Access Token's sealed value, as the repository keeps it.
    func storedToken(of name: String) async throws -> SealedSecret? {
        let connection = try await repository.connection(named: name, in: organization.id)
        return connection.authentication.credentials.compactMap { field, credential -> SealedSecret? in
            guard field == .accessToken, case .value(let sealed) = credential else { return nil }
            return sealed
        }.first
    }
}
