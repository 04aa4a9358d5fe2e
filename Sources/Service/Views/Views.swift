import Foundation
import QlikConnections
import Repository

/// What the API shows of things: JSON shapes with no secret in them.
struct UserView: Codable, Sendable {
    let id: String
    let email: String
    let displayName: String
    let role: String
    let disabled: Bool
    let createdAt: Date

    init(_ user: User) {
        id = user.id.description
        email = user.email.value
        displayName = user.displayName
        role = user.role.rawValue
        disabled = user.disabled
        createdAt = user.createdAt
    }
}

struct OrganizationView: Codable, Sendable {
    let id: String
    let name: String
    let credentialStorage: String
    let allowCustomTenantHosts: Bool
    let secretsManager: String?
    let createdAt: Date

    init(_ organization: Organization) {
        id = organization.id.description
        name = organization.name.value
        credentialStorage = organization.credentialStorage.rawValue
        allowCustomTenantHosts = organization.allowCustomTenantHosts
        secretsManager = organization.secretsManager?.kind.rawValue
        createdAt = organization.createdAt
    }
}

struct AccessTokenView: Codable, Sendable {
    let id: String
    let name: String
    let prefix: String
    let createdAt: Date
    let expiresAt: Date?
    let lastUsedAt: Date?
    let revokedAt: Date?
    /// Only in the answer to the create: the one time the secret is shown.
    let token: String?

    init(_ token: AccessToken, secret: String? = nil) {
        id = token.id.description
        name = token.name
        prefix = token.prefix
        createdAt = token.createdAt
        expiresAt = token.expiresAt
        lastUsedAt = token.lastUsedAt
        revokedAt = token.revokedAt
        self.token = secret
    }
}

struct RuntimeEnvironmentView: Codable, Sendable {
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

/// A credential field as shown: where it comes from, never its value.
struct CredentialView: Codable, Sendable {
    /// `stored` (sealed here), `reference` (from the secrets manager) or `agent` (on the Secure Agents).
    let source: String
    let reference: String?
}

struct LastTestView: Codable, Sendable {
    let testedAt: Date
    let succeeded: Bool
    let summary: String
}

struct ConnectionView: Codable, Sendable {
    let id: String
    let name: String
    let description: String?
    let runtimeEnvironment: String
    let useSecretVault: Bool
    let authenticationType: String
    let baseURL: String
    let credentials: [String: CredentialView]
    let createdAt: Date
    let updatedAt: Date
    let lastTest: LastTestView?

    init(_ connection: StoredConnection, environments: [RuntimeEnvironment], lastTest: ConnectionTestRecord?) {
        id = connection.id.description
        name = connection.name.value
        description = connection.description?.value
        runtimeEnvironment = environments.first { $0.id == connection.runtimeEnvironmentID }?.name.value ?? connection.runtimeEnvironmentID.description
        useSecretVault = connection.useSecretVault
        authenticationType = connection.authentication.type.rawValue
        baseURL = connection.authentication.baseURL.description
        var credentials: [String: CredentialView] = [:]
        for (field, credential) in connection.authentication.credentials {
            switch credential {
            case .value: credentials[field.rawValue] = CredentialView(source: "stored", reference: nil)
            case .secretReference(let reference): credentials[field.rawValue] = CredentialView(source: "reference", reference: reference.description)
            case .onAgent: credentials[field.rawValue] = CredentialView(source: "agent", reference: nil)
            }
        }
        self.credentials = credentials
        createdAt = connection.createdAt
        updatedAt = connection.updatedAt
        self.lastTest = lastTest.map { LastTestView(testedAt: $0.testedAt, succeeded: $0.succeeded, summary: $0.summary) }
    }

    /// The same view with another last test (lists keep views without one and add the current test).
    func with(lastTest record: ConnectionTestRecord?) -> ConnectionView {
        ConnectionView(id: id, name: name, description: description, runtimeEnvironment: runtimeEnvironment, useSecretVault: useSecretVault,
                       authenticationType: authenticationType, baseURL: baseURL, credentials: credentials, createdAt: createdAt, updatedAt: updatedAt,
                       lastTest: record.map { LastTestView(testedAt: $0.testedAt, succeeded: $0.succeeded, summary: $0.summary) })
    }

    private init(id: String, name: String, description: String?, runtimeEnvironment: String, useSecretVault: Bool, authenticationType: String,
                 baseURL: String, credentials: [String: CredentialView], createdAt: Date, updatedAt: Date, lastTest: LastTestView?) {
        self.id = id
        self.name = name
        self.description = description
        self.runtimeEnvironment = runtimeEnvironment
        self.useSecretVault = useSecretVault
        self.authenticationType = authenticationType
        self.baseURL = baseURL
        self.credentials = credentials
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastTest = lastTest
    }
}

struct AuditEventView: Codable, Sendable {
    let sequence: Int64
    let at: Date
    let actor: String
    let action: String
    let targetKind: String
    let targetID: String
    let targetName: String
}

/// One page of a list, and where the next starts.
struct Page<Item: Codable & Sendable>: Codable, Sendable {
    let items: [Item]
    let total: Int
    let nextCursor: String?
}
