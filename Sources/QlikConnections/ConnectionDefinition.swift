public import Foundation

/// A Qlik Cloud connection as the seed page defines it. `Value` is how
/// credential values are held: ``Secret`` in memory, ``SealedSecret`` at rest.
///
/// Built by ``ConnectionRules`` from user input, or read back from the
/// repository; either way its initializer refuses a secret reference on a
/// connection that does not use the secret vault.
public struct ConnectionDefinition<Value: Sendable & Hashable>: Sendable, Hashable, Identifiable {
    public let id: ConnectionID
    public let organizationID: OrganizationID
    public let name: ConnectionName
    public let description: ConnectionDescription?
    public let runtimeEnvironmentID: RuntimeEnvironmentID
    public let useSecretVault: Bool
    public let authentication: Authentication<Value>
    public let createdAt: Date
    public let updatedAt: Date

    public init(
        id: ConnectionID,
        organizationID: OrganizationID,
        name: ConnectionName,
        description: ConnectionDescription?,
        runtimeEnvironmentID: RuntimeEnvironmentID,
        useSecretVault: Bool,
        authentication: Authentication<Value>,
        createdAt: Date,
        updatedAt: Date
    ) throws(ConnectionValidationError) {
        if !useSecretVault, let field = authentication.credentials.first(where: { $0.credential.reference != nil })?.field {
            throw ConnectionValidationError(field, "\(field.label) is a secret reference, but Use Secret Vault is off.")
        }
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.description = description
        self.runtimeEnvironmentID = runtimeEnvironmentID
        self.useSecretVault = useSecretVault
        self.authentication = authentication
        self.createdAt = createdAt.millisecondPrecision
        self.updatedAt = updatedAt.millisecondPrecision
    }

    /// The same connection with its credential values transformed (sealed or opened).
    public func mapCredentialValues<Other>(
        _ transform: (ConnectionField, Value) throws -> Other
    ) throws -> ConnectionDefinition<Other> {
        try ConnectionDefinition<Other>(
            id: id, organizationID: organizationID, name: name, description: description,
            runtimeEnvironmentID: runtimeEnvironmentID, useSecretVault: useSecretVault,
            authentication: try authentication.mapValues(transform),
            createdAt: createdAt, updatedAt: updatedAt
        )
    }
}
