import Foundation
package import QlikConnections
package import Repository

// Organizations, runtime environments and connections as the API answers, the console shows and `--json` prints them, in the
// types generated from openapi.yaml: never a credential value.

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

extension Components.Schemas.Organization {
    /// An organization as the API shows it; `managerCredentials` are the secrets manager's own credentials it keeps (by field).
    package init(_ organization: Organization, managerCredentials: [SecretsManagerField] = []) {
        let storage: CredentialStoragePayload = switch organization.credentialStorage {
        case .repository: .repository
        case .localAgent: .localAgent
        }
        self.init(id: organization.id.description, name: organization.name.value, credentialStorage: storage,
                  secretsManager: organization.secretsManager.map { .init($0, credentials: managerCredentials) }, createdAt: organization.createdAt)
    }
}

extension Components.Schemas.SecretsManager {
    /// Where it is, and which of its own credentials are kept (never their values).
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
    /// A connection as the API, the console and `--json` show it: a stored secret only as a mask.
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
                  runtimeEnvironment: environments.shownName(of: connection.runtimeEnvironmentID), runtimeEnvironmentKind: kind,
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

extension Components.Schemas.SecretsManager {
    /// Where the manager's own credentials come from, in words.
    package var credentialsSummary: String {
        credentials == .organization ? "its credentials kept in the settings (sealed)" : "its credentials from the environment where each task runs"
    }

    /// The manager and where it is, in words.
    package var summary: String {
        switch kind {
        case .aws: "AWS Secrets Manager, region \(region ?? "?")" + (endpoint.map { ", endpoint \($0)" } ?? "")
        case .vault: "HashiCorp Vault KV v2 at \(address ?? "?"), mount \(mount ?? "secret")"
        }
    }
}

extension Components.Schemas.Credential {
    /// Where the credential comes from, in words (a stored value only as a mask).
    package var text: String {
        switch source {
        case .repository: "\(Secret.mask) (sealed in the repository)"
        case .secretVault: "from the secret vault: \(reference ?? "")"
        case .agent: "kept on the runtime environment's agents"
        }
    }
}
