import Foundation
import QlikConnections
@testable import Repository

/// A fresh SQLite repository in its own folder, with one organization.
struct RepositoryFixture {
    let path: String
    let repository: SQLiteRepository
    let organization: Organization
    let actor = AuditActor("test")

    init(storage: CredentialStorage = .repository) async throws {
        path = NSTemporaryDirectory() + "qc-repo-\(UUID().uuidString)/repo.sqlite"
        repository = try SQLiteRepository(path: path)
        organization = Organization(name: try OrganizationName("Acme"), credentialStorage: storage)
        try await repository.createOrganization(organization, by: actor)
        // The key id the fixture's "sealed" values carry.
        _ = try await repository.activeMasterKeyID(registeringIfNone: "k1")
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
