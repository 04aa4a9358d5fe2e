public import Foundation
public import QlikConnections
public import Repository

/// Organizations, runtime environments and connections as the API answers and `--json` prints them: never a credential value.
public struct OrganizationView: Codable, Sendable {
    public let id: String
    public let name: String
    public let credentialStorage: String
    public let secretsManager: SecretsManagerView?
    public let createdAt: Date

    /// `managerCredentials`: the secrets manager's own credentials the organization keeps (by field, never a value).
    public init(_ organization: Organization, managerCredentials: [SecretsManagerField] = []) {
        id = organization.id.description
        name = organization.name.value
        credentialStorage = organization.credentialStorage.rawValue
        secretsManager = organization.secretsManager.map { SecretsManagerView($0, credentials: managerCredentials) }
        createdAt = organization.createdAt
    }
}

public struct SecretsManagerView: Codable, Sendable {
    public let kind: String
    public let region: String?
    public let endpoint: String?
    public let address: String?
    public let mount: String?
    /// Where the manager's own credentials come from: "organization" (kept sealed in the settings) or "environment" (where each task runs).
    public let credentials: String
    /// Which are kept, by name (awsAccessKeyID, ...); never their values.
    public let credentialFields: [String]

    public init(_ settings: SecretsManagerSettings, credentials kept: [SecretsManagerField] = []) {
        kind = settings.kind.rawValue
        credentialFields = kept.map(\.rawValue).sorted()
        credentials = kept.isEmpty ? "environment" : "organization"
        switch settings.location {
        case .aws(let region, let endpoint):
            (self.region, self.endpoint, address, mount) = (region, endpoint, nil, nil)
        case .vault(let address, let mount):
            (region, endpoint, self.address, self.mount) = (nil, nil, address, mount)
        }
    }

    public var credentialsSummary: String {
        credentials == "organization" ? "its credentials kept in the settings (sealed)" : "its credentials from the environment where each task runs"
    }

    public var summary: String {
        switch kind {
        case SecretsManagerKind.awsSecretsManager.rawValue:
            "AWS Secrets Manager, region \(region ?? "?")" + (endpoint.map { ", endpoint \($0)" } ?? "")
        default:
            "HashiCorp Vault KV v2 at \(address ?? "?"), mount \(mount ?? "secret")"
        }
    }
}

extension Components.Schemas.RuntimeEnvironment {
    /// A runtime environment as the API and the command line show it.
    package init(_ environment: RuntimeEnvironment) {
        let kind: KindPayload = switch environment.kind {
        case .secureAgentGroup: .secureAgentGroup
        case .serverless: .serverless
        }
        self.init(id: environment.id.description, name: environment.name.value, kind: kind, createdAt: environment.createdAt)
    }
}

public struct CredentialView: Codable, Sendable {
    /// repository, secret-vault or agent
    public let source: String
    public let value: String?
    public let reference: String?

    public init(_ credential: Credential<SealedSecret>) {
        switch credential {
        case .value: (source, value, reference) = ("repository", Secret.mask, nil)
        case .secretReference(let ref): (source, value, reference) = ("secret-vault", nil, ref.description)
        case .onAgent: (source, value, reference) = ("agent", nil, nil)
        }
    }

    public var text: String {
        switch source {
        case "repository": "\(Secret.mask) (sealed in the repository)"
        case "secret-vault": "from the secret vault: \(reference ?? "")"
        default: "kept on the runtime environment's agents"
        }
    }
}

public struct ConnectionView: Codable, Sendable {
    public struct AuthenticationView: Codable, Sendable {
        public let type: String
        public let baseURL: String
        public let accessToken: CredentialView?
        public let clientID: CredentialView?
        public let clientSecret: CredentialView?
    }

    public let id: String
    public let name: String
    public let description: String?
    public let runtimeEnvironment: String
    public let runtimeEnvironmentKind: String?
    public let useSecretVault: Bool
    public let authentication: AuthenticationView
    public let permittedUses: [String]
    public let createdAt: Date
    public let updatedAt: Date
    public private(set) var lastTest: LastTestView?

    public struct LastTestView: Codable, Sendable {
        public let testedAt: Date
        public let succeeded: Bool
        public let summary: String
    }

    public init(_ connection: StoredConnection, environments: [RuntimeEnvironment], lastTest: ConnectionTestRecord? = nil) {
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

    /// The same view with another last test (lists keep views without one and add the current test).
    public func with(lastTest record: ConnectionTestRecord?) -> ConnectionView {
        var copy = self
        copy.lastTest = record.map { LastTestView(testedAt: $0.testedAt, succeeded: $0.succeeded, summary: $0.summary) }
        return copy
    }
}

extension Components.Schemas.Organization {
    /// An organization as the API shows it; `managerCredentials` are the secrets manager's own credentials it keeps (by field).
    package init(_ organization: Organization, managerCredentials: [SecretsManagerField]) {
        let storage: CredentialStoragePayload = switch organization.credentialStorage {
        case .repository: .repository
        case .localAgent: .localAgent
        }
        self.init(id: organization.id.description, name: organization.name.value, credentialStorage: storage,
                  secretsManager: organization.secretsManager.map { .init($0, credentials: managerCredentials) }, createdAt: organization.createdAt)
    }
}

extension Components.Schemas.SecretsManager {
    /// As ``SecretsManagerView`` shows it: where it is, and which of its own credentials are kept (never their values).
    package init(_ settings: SecretsManagerSettings, credentials kept: [SecretsManagerField]) {
        let kind: KindPayload = switch settings.kind {
        case .awsSecretsManager: .aws
        case .hashiCorpVault: .vault
        }
        var region: String?, endpoint: String?, address: String?, mount: String?
        switch settings.location {
        case .aws(let awsRegion, let awsEndpoint): (region, endpoint) = (awsRegion, awsEndpoint)
        case .vault(let vaultAddress, let vaultMount): (address, mount) = (vaultAddress, vaultMount)
        }
        self.init(credentials: kept.isEmpty ? .environment : .organization, credentialFields: kept.map(\.rawValue).sorted(),
                  kind: kind, region: region, endpoint: endpoint, address: address, mount: mount)
    }
}

extension Components.Schemas.Connection {
    /// A connection as the API shows it, as ``ConnectionView`` does: a stored secret only as a mask.
    package init(_ connection: StoredConnection, environments: [RuntimeEnvironment], lastTest: ConnectionTestRecord? = nil) {
        let environment = environments.first { $0.id == connection.runtimeEnvironmentID }
        let kind: RuntimeEnvironmentKindPayload? = environment.map {
            switch $0.kind {
            case .secureAgentGroup: .secureAgentGroup
            case .serverless: .serverless
            }
        }
        let type: AuthenticationPayload._TypePayload = switch connection.authentication.type {
        case .apiKey: .apiKey
        case .oauth2: .oauth2
        }
        var credentials: [ConnectionField: Components.Schemas.Credential] = [:]
        for stored in connection.authentication.credentials { credentials[stored.field] = .init(stored.credential) }
        self.init(id: connection.id.description, name: connection.name.value, description: connection.description?.value,
                  runtimeEnvironment: environment?.name.value ?? connection.runtimeEnvironmentID.description, runtimeEnvironmentKind: kind,
                  useSecretVault: connection.useSecretVault,
                  authentication: .init(_type: type, baseURL: connection.authentication.baseURL.description, accessToken: credentials[.accessToken],
                                        clientID: credentials[.clientID], clientSecret: credentials[.clientSecret]),
                  permittedUses: connection.permittedUses.map(\.rawValue), createdAt: connection.createdAt, updatedAt: connection.updatedAt,
                  lastTest: lastTest.map { .init(testedAt: $0.testedAt, succeeded: $0.succeeded, summary: $0.summary) })
    }
}

extension Components.Schemas.Credential {
    /// Where a credential comes from; a stored value only as a mask.
    package init(_ credential: QlikConnections.Credential<SealedSecret>) {
        switch credential {
        case .value: self.init(source: .repository, value: Secret.mask)
        case .secretReference(let reference): self.init(source: .secretVault, reference: reference.description)
        case .onAgent: self.init(source: .agent)
        }
    }
}
