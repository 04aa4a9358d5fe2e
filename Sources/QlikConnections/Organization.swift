public import Foundation

/// Where an organization keeps the credentials of connections that do not
/// take them from a secret vault.
public enum CredentialStorage: String, Hashable, Sendable, Codable, CaseIterable {
    /// Sealed with AES-256-GCM in this service's repository.
    case repository
    /// Only on the Secure Agents of the connection's runtime environment.
    case localAgent = "local-agent"
}

/// The tenant of this service: it owns connections and runtime environments.
/// Which hosts outside Qlik Cloud its connections may reach is not its own
/// setting but the operator's (``TenantHostPolicy``).
public struct Organization: Hashable, Sendable, Identifiable {
    public let id: OrganizationID
    public var name: OrganizationName
    public var credentialStorage: CredentialStorage
    public var secretsManager: SecretsManagerSettings?
    public let createdAt: Date

    public init(
        id: OrganizationID = OrganizationID(),
        name: OrganizationName,
        credentialStorage: CredentialStorage = .repository,
        secretsManager: SecretsManagerSettings? = nil,
        createdAt: Date = Date()
    ) {
        self.id = id
        self.name = name
        self.credentialStorage = credentialStorage
        self.secretsManager = secretsManager
        self.createdAt = createdAt.millisecondPrecision
    }
}
