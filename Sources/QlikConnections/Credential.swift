/// Where one credential field (Access Token, Client ID, Client Secret) of a
/// connection comes from. `Value` is the form the value takes: a plain
/// ``Secret`` while it is being defined or used, a sealed ciphertext at rest.
public enum Credential<Value: Sendable & Hashable>: Sendable, Hashable {
    /// Held by this service: plain in memory, sealed in the repository.
    case value(Value)
    /// Retrieved by the agent from the organization's secrets manager.
    case secretReference(SecretReference)
    /// Supplied by an administrator to the agents of the runtime environment;
    /// the repository keeps nothing.
    case onAgent

    public func map<Other>(_ transform: (Value) throws -> Other) rethrows -> Credential<Other> {
        switch self {
        case .value(let value): .value(try transform(value))
        case .secretReference(let reference): .secretReference(reference)
        case .onAgent: .onAgent
        }
    }

    public var reference: SecretReference? {
        if case .secretReference(let reference) = self { return reference }
        return nil
    }

    /// How the credential shows in output: the mask, the reference, or where it lives.
    public var displayText: String {
        switch self {
        case .value: Secret.mask
        case .secretReference(let reference): "secret reference \(reference)"
        case .onAgent: "kept on the runtime environment's agents"
        }
    }
}
