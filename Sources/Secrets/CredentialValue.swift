public import QlikConnections

/// A credential value during an update: newly typed (to be sealed) or kept
/// as it was sealed. Validation runs on this, before anything is sealed.
public enum CredentialValue: Hashable, Sendable {
    case new(Secret)
    case kept(SealedSecret)

    public var needsSealing: Bool {
        if case .new = self { return true }
        return false
    }
}

extension ConnectionDefinition where Value == CredentialValue {
    public var hasNewValues: Bool {
        authentication.credentials.contains { field in
            if case .value(let value) = field.credential { return value.needsSealing }
            return false
        }
    }

    /// Seals the new values under the active key; kept ones stay as they were.
    public func sealed(with keyring: Keyring?) throws -> ConnectionDefinition<SealedSecret> {
        try mapCredentialValues { field, value in
            switch value {
            case .kept(let sealed): return sealed
            case .new(let secret):
                guard let keyring else { throw SecretsError.noKeyLoaded(field: field.label) }
                return try keyring.seal(secret, for: id, field: field)
            }
        }
    }
}
