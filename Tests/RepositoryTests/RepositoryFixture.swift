import Foundation
import QlikConnections
@testable import Repository
import TestRepositories

/// A fresh repository of one backend, with one organization.
struct RepositoryFixture {
    let store: TestRepository
    var repository: any ConnectorRepository { store.repository }
    let organization: Organization
    let actor = AuditActor("test")

    init(_ backend: RepositoryBackend, storage: CredentialStorage = .repository) async throws {
        store = try await TestRepository.make(backend)
        organization = Organization(name: try OrganizationName("Acme"), credentialStorage: storage)
        try await store.repository.createOrganization(organization, by: actor)
        // The key id the fixture's "sealed" values carry.
        _ = try await store.repository.activeMasterKeyID(registeringIfNone: "k1")
    }

    func rules() async throws -> ConnectionRules {
        ConnectionRules(organization: organization, runtimeEnvironments: try await repository.runtimeEnvironments(of: organization.id))
    }

    /// A stored API-key connection whose "sealed" token is just the given bytes:
    /// the repository neither knows nor cares how sealing works.
    func connection(_ name: String, environment: String = "Serverless", token: [UInt8] = [1, 2, 3]) async throws -> StoredConnection {
        try await rules().create(ConnectionDraft(
            name: name, runtimeEnvironment: environment, authenticationType: "api-key",
            baseURL: "https://acme.eu.qlikcloud.com", accessToken: .value(SealedSecret(keyID: "k1", combined: token))
        ))
    }
}
