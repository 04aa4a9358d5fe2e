import QlikConnections
import Secrets

/// A credential value during an update: newly typed (to be sealed) or kept
/// as it was sealed. Validation runs on this, before anything is sealed.
enum CredentialValue: Hashable, Sendable {
    case new(Secret)
    case kept(SealedSecret)

    var needsSealing: Bool {
        if case .new = self { return true }
        return false
    }
}

extension ConnectionDefinition where Value == CredentialValue {
    var hasNewValues: Bool {
        authentication.credentials.contains { field in
            if case .value(let value) = field.credential { return value.needsSealing }
            return false
        }
    }

    /// Seals the new values under the active key; kept ones stay as they were.
    func sealed(with keyring: Keyring?) throws -> ConnectionDefinition<SealedSecret> {
        try mapCredentialValues { field, value in
            switch value {
            case .kept(let sealed): return sealed
            case .new(let secret):
                guard let keyring else { throw CLIError.failure("No master key is loaded to seal \(field.label).") }
                return try keyring.seal(secret, for: id, field: field)
            }
        }
    }
}
