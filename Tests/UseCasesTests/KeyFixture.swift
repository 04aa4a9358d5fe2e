import Foundation
import Logging
import QlikConnections
import Repository
import Secrets
import TestRepositories
import UseCases

/// A fresh repository with one organization and a data folder for its managed master key (generated on first load).
struct KeyFixture {
    let store: TestRepository
    var repository: any ConnectorRepository { store.repository }
    let organization: Organization
    let location: MasterKeyLocation
    let actor = AuditActor("test")
    let logger = Logger(label: "use-case-test") { _ in SwiftLogNoOpLogHandler() }

    init(_ backend: RepositoryBackend) async throws {
        store = try await TestRepository.make(backend)
        organization = Organization(name: try OrganizationName("Acme"))
        try await store.repository.createOrganization(organization, by: actor)
        let folder = NSTemporaryDirectory() + "qc-keys-\(UUID().uuidString)"
        location = MasterKeyLocation(keyFile: nil, dataDirectory: folder, environment: [:])
    }

    var keyPath: String { location.dataDirectory + "/master.key" }

    /// An AWS secrets manager with its access key kept in the settings, sealed with the keys given.
    func keepAWSCredentials(with keys: LiveKeyring) async throws -> OrganizationSettings.Changed {
        try await OrganizationSettings(repository: repository, keys: SealingKeys(keys)).change(organization, try Self.awsWithCredentials(), by: actor)
    }

    static func awsWithCredentials() throws -> OrganizationChange {
        OrganizationChange(secretsManager: .some(try SecretsManagerSettings.aws(region: "eu-west-1", endpoint: nil)),
                           managerCredentials: [.awsAccessKeyID: try secret("AKIDEXAMPLE"), .awsSecretAccessKey: try secret("planted-secret")])
    }

    static func secret(_ value: String) throws -> Secret {
        guard let secret = Secret(value) else { throw FixtureError("'\(value)' is no secret value (empty).") }
        return secret
    }
}
