public import QlikConnections
public import Repository
import Secrets

/// What a person asks to change in an organization's settings; nil leaves a setting as it is.
public struct OrganizationChange: Sendable {
    public var name: OrganizationName?
    public var credentialStorage: CredentialStorage?
    /// The secrets manager: nil keeps it, `.some(nil)` removes it.
    public var secretsManager: SecretsManagerSettings??
    /// The manager's own credentials to keep (sealed), by field: nil keeps the stored ones, empty keeps none (where a
    /// task runs, its environment serves).
    public var managerCredentials: [SecretsManagerField: Secret]?

    public init(name: OrganizationName? = nil, credentialStorage: CredentialStorage? = nil, secretsManager: SecretsManagerSettings?? = nil,
                managerCredentials: [SecretsManagerField: Secret]? = nil) {
        self.name = name
        self.credentialStorage = credentialStorage
        self.secretsManager = secretsManager
        self.managerCredentials = managerCredentials
    }
}

/// Changing an organization's settings, for the command line and the API alike:
/// everything is checked and sealed before anything is written, and the
/// repository refuses, inside its transaction, a change that would orphan
/// secret references.
public struct OrganizationSettings: Sendable {
    /// The organization as written, and the manager credentials it keeps (their fields, never their values).
    public struct Changed: Sendable {
        public let organization: Organization
        public let managerCredentials: [SecretsManagerField]
    }

    let repository: any ConnectorRepository
    let keys: SealingKeys

    /// `keys`: what seals the manager's credentials; without a loaded key, a change that brings values is refused.
    public init(repository: any ConnectorRepository, keys: SealingKeys) {
        self.repository = repository
        self.keys = keys
    }

    /// Applies `change` to `organization` (as read by the entry point, which checked what only it may allow) and writes
    /// it. The credentials are sealed once more under the new key when another process rotated it meanwhile.
    public func change(_ organization: Organization, _ change: OrganizationChange, by actor: AuditActor) async throws -> Changed {
        var organization = organization
        if let name = change.name { organization.name = name }
        if let storage = change.credentialStorage { organization.credentialStorage = storage }
        if let manager = change.secretsManager {
            organization.secretsManager = manager
            try manager?.checkAddress(admittedBy: try await repository.tenantHostPolicy())
        }
        if change.credentialStorage != nil || change.secretsManager != nil { try Self.checkStorageAndManager(organization, change) }
        let given = change.managerCredentials
        try SecretsManagerField.check(Set(given.map { Array($0.keys) } ?? []), for: organization.secretsManager?.kind)
        try await keys.withCurrent { [organization, repository, keys] keyring in
            let sealed = try given.map { values in try Self.seal(values, of: organization.id) { try keys.require(keyring) } }
            try await repository.updateOrganization(organization, managerCredentials: sealed, by: actor)
        }
        let kept = try await repository.secretsManagerCredentials(of: organization.id)
        return Changed(organization: organization, managerCredentials: Array(kept.keys))
    }

    /// The platform's rule: an organization that keeps credentials on its local Secure Agents has no secrets manager, and one
    /// with a secrets manager does not keep credentials there. The refusal names the setting this change made and the other one.
    static func checkStorageAndManager(_ organization: Organization, _ change: OrganizationChange) throws {
        guard organization.credentialStorage == .localAgent, let manager = organization.secretsManager else { return }
        if change.secretsManager != nil && change.credentialStorage == nil {
            throw UseCaseError.invalid("secretsManager", "A secrets manager cannot be set for an organization whose credential storage is local-agent "
                + "(credentials kept on its local Secure Agents' machines). Change the credential storage to repository first, or keep no secrets manager.")
        }
        throw UseCaseError.invalid("credentialStorage", "The credential storage cannot be local-agent for an organization with a secrets manager "
            + "(\(manager.kind.displayName)). Remove the secrets manager first (secrets manager none), or keep the credential storage repository.")
    }

    /// Each value sealed to its field of the organization's manager; the keys are asked for only when there is something to seal.
    private static func seal(_ values: [SecretsManagerField: Secret], of organization: OrganizationID,
                             with keyring: () throws -> Keyring) throws -> [SecretsManagerField: SealedSecret] {
        guard !values.isEmpty else { return [:] }
        let keyring = try keyring()
        var sealed: [SecretsManagerField: SealedSecret] = [:]
        for (field, secret) in values { sealed[field] = try keyring.seal(secret, for: .secretsManager(organization, field)) }
        return sealed
    }
}
