public import QlikCloudAPI
public import QlikConnections
public import Secrets

/// A credential that is not in this process's hands: it comes from the
/// secrets manager or stays on the Secure Agents, and is resolved where the
/// connection runs, on its runtime environment.
public struct CredentialsElsewhere: Error, CustomStringConvertible, Sendable {
    public let description: String
}

extension ConnectionDefinition where Value == SealedSecret {
    /// The credentials in hand, unsealed here; `keyring` is asked for only
    /// when a sealed value is opened.
    public func resolvedAuthentication(keyring: () async throws -> Keyring) async throws -> ResolvedAuthentication {
        var loaded: Keyring?
        func open(_ credential: Credential<SealedSecret>, _ field: ConnectionField) async throws -> Secret {
            switch credential {
            case .value(let sealed):
                // Loaded once, even for OAuth's two sealed values.
                let ring: Keyring
                if let loaded { ring = loaded } else { ring = try await keyring(); loaded = ring }
                return try ring.open(sealed, for: id, field: field)
            case .secretReference(let reference):
                throw CredentialsElsewhere(description: "'\(name)' takes its \(field.label) from the secrets manager (\(reference)); "
                    + "it is resolved by the agents of its runtime environment, so test it there.")
            case .onAgent:
                throw CredentialsElsewhere(description: "'\(name)' keeps its \(field.label) on the Secure Agents of its runtime environment; test it there.")
            }
        }
        switch authentication {
        case .apiKey(_, let token):
            return .apiKey(try await open(token, .accessToken))
        case .oauth2(_, let id, let secret):
            return .oauth2(clientID: try await open(id, .clientID), clientSecret: try await open(secret, .clientSecret))
        }
    }
}
