/// What a user typed to create or change a connection, before any rule has
/// been checked. Every field is optional: on update, nil means "keep".
public struct ConnectionDraft<Value: Sendable & Hashable>: Sendable {
    public var name: String?
    public var description: String?
    public var runtimeEnvironment: String?
    public var useSecretVault: Bool?
    public var authenticationType: String?
    public var baseURL: String?
    public var accessToken: CredentialInput<Value>?
    public var clientID: CredentialInput<Value>?
    public var clientSecret: CredentialInput<Value>?

    public init(
        name: String? = nil,
        description: String? = nil,
        runtimeEnvironment: String? = nil,
        useSecretVault: Bool? = nil,
        authenticationType: String? = nil,
        baseURL: String? = nil,
        accessToken: CredentialInput<Value>? = nil,
        clientID: CredentialInput<Value>? = nil,
        clientSecret: CredentialInput<Value>? = nil
    ) {
        self.name = name
        self.description = description
        self.runtimeEnvironment = runtimeEnvironment
        self.useSecretVault = useSecretVault
        self.authenticationType = authenticationType
        self.baseURL = baseURL
        self.accessToken = accessToken
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    public func credential(_ field: ConnectionField) -> CredentialInput<Value>? {
        switch field {
        case .accessToken: accessToken
        case .clientID: clientID
        case .clientSecret: clientSecret
        default: nil
        }
    }

    /// Every credential input with its values transformed (sealing them, say).
    public func mapCredentialValues<Other>(_ transform: (ConnectionField, Value) throws -> Other) rethrows -> ConnectionDraft<Other> {
        func convert(_ field: ConnectionField, _ input: CredentialInput<Value>?) throws -> CredentialInput<Other>? {
            switch input {
            case nil: nil
            case .value(let value)?: .value(try transform(field, value))
            case .reference(let text)?: .reference(text)
            }
        }
        return ConnectionDraft<Other>(
            name: name, description: description, runtimeEnvironment: runtimeEnvironment,
            useSecretVault: useSecretVault, authenticationType: authenticationType, baseURL: baseURL,
            accessToken: try convert(.accessToken, accessToken),
            clientID: try convert(.clientID, clientID),
            clientSecret: try convert(.clientSecret, clientSecret)
        )
    }
}

/// A credential as typed: its value, or (with Use Secret Vault) a reference.
public enum CredentialInput<Value: Sendable & Hashable>: Sendable, Hashable {
    case value(Value)
    case reference(String)
}
