import Foundation
import QlikConnections
import Repository

/// What `--json` prints: the definition without any credential value.
struct OrganizationView: Encodable {
    let id: String
    let name: String
    let credentialStorage: String
    let allowCustomTenantHosts: Bool
    let secretsManager: SecretsManagerView?
    let createdAt: Date

    init(_ organization: Organization) {
        id = organization.id.description
        name = organization.name.value
        credentialStorage = organization.credentialStorage.rawValue
        allowCustomTenantHosts = organization.allowCustomTenantHosts
        secretsManager = organization.secretsManager.map(SecretsManagerView.init)
        createdAt = organization.createdAt
    }
}

struct SecretsManagerView: Encodable {
    let kind: String
    let region: String?
    let endpoint: String?
    let address: String?
    let mount: String?

    init(_ settings: SecretsManagerSettings) {
        kind = settings.kind.rawValue
        switch settings.location {
        case .aws(let region, let endpoint):
            (self.region, self.endpoint, address, mount) = (region, endpoint, nil, nil)
        case .vault(let address, let mount):
            (region, endpoint, self.address, self.mount) = (nil, nil, address, mount)
        }
    }

    var summary: String {
        switch kind {
        case SecretsManagerKind.awsSecretsManager.rawValue:
            "AWS Secrets Manager, region \(region ?? "?")" + (endpoint.map { ", endpoint \($0)" } ?? "")
        default:
            "HashiCorp Vault KV v2 at \(address ?? "?"), mount \(mount ?? "secret")"
        }
    }
}

struct RuntimeEnvironmentView: Encodable {
    let id: String
    let name: String
    let kind: String
    let createdAt: Date

    init(_ environment: RuntimeEnvironment) {
        id = environment.id.description
        name = environment.name.value
        kind = environment.kind.rawValue
        createdAt = environment.createdAt
    }
}

struct CredentialView: Encodable {
    /// repository, secret-vault or agent
    let source: String
    let value: String?
    let reference: String?

    init(_ credential: Credential<SealedSecret>) {
        switch credential {
        case .value: (source, value, reference) = ("repository", Secret.mask, nil)
        case .secretReference(let ref): (source, value, reference) = ("secret-vault", nil, ref.description)
        case .onAgent: (source, value, reference) = ("agent", nil, nil)
        }
    }

    var text: String {
        switch source {
        case "repository": "\(Secret.mask) (sealed in the repository)"
        case "secret-vault": "from the secret vault: \(reference ?? "")"
        default: "kept on the runtime environment's agents"
        }
    }
}

struct ConnectionView: Encodable {
    struct AuthenticationView: Encodable {
        let type: String
        let baseURL: String
        let accessToken: CredentialView?
        let clientID: CredentialView?
        let clientSecret: CredentialView?
    }

    let id: String
    let name: String
    let description: String?
    let runtimeEnvironment: String
    let runtimeEnvironmentKind: String?
    let useSecretVault: Bool
    let authentication: AuthenticationView
    let permittedUses: [String]
    let createdAt: Date
    let updatedAt: Date
    let lastTest: LastTestView?

    struct LastTestView: Encodable {
        let testedAt: Date
        let succeeded: Bool
        let summary: String
    }

    init(_ connection: StoredConnection, environments: [RuntimeEnvironment], lastTest: ConnectionTestRecord? = nil) {
        let environment = environments.first { $0.id == connection.runtimeEnvironmentID }
        id = connection.id.description
        name = connection.name.value
        description = connection.description?.value
        runtimeEnvironment = environment?.name.value ?? connection.runtimeEnvironmentID.description
        runtimeEnvironmentKind = environment?.kind.rawValue
        useSecretVault = connection.useSecretVault
        let credentials = Dictionary(uniqueKeysWithValues: connection.authentication.credentials.map { ($0.field, CredentialView($0.credential)) })
        authentication = AuthenticationView(
            type: connection.authentication.type.rawValue,
            baseURL: connection.authentication.baseURL.description,
            accessToken: credentials[.accessToken], clientID: credentials[.clientID], clientSecret: credentials[.clientSecret]
        )
        permittedUses = connection.permittedUses.map(\.rawValue)
        createdAt = connection.createdAt
        updatedAt = connection.updatedAt
        self.lastTest = lastTest.map { LastTestView(testedAt: $0.testedAt, succeeded: $0.succeeded, summary: $0.summary) }
    }
}
