public import QlikConnections

/// An organization's choice of secrets manager as asked (the command's flags,
/// the API's JSON): a kind and the fields it takes, read into settings by one
/// parser. Its refusals name the field; each entry point words them in its
/// own terms (`--aws-region`, `secretsManager.region`).
public struct SecretsManagerChoice: Sendable, Equatable {
    /// A field of the choice, in the order a stray one is looked for.
    public enum Field: String, Sendable, CaseIterable {
        case region, endpoint, address, mount
    }

    /// Why the choice does not read as settings.
    public enum Refusal: Error, Sendable, Equatable {
        /// `field` was given, but the kind does not take it; `belongs` are the fields it takes.
        case stray(Field, belongs: [Field])
        /// The kind needs `field`.
        case missing(Field)
        /// The kind is none of none, aws or vault.
        case unknownKind
    }

    /// `none`, `aws` or `vault`, as the entry point matches it (the command ignores case, the API does not).
    public let kind: String
    public let region: String?
    public let endpoint: String?
    public let address: String?
    /// Vault's KV v2 mount; `secret` when not given.
    public let mount: String?

    public init(kind: String, region: String? = nil, endpoint: String? = nil, address: String? = nil, mount: String? = nil) {
        self.kind = kind
        self.region = region
        self.endpoint = endpoint
        self.address = address
        self.mount = mount
    }

    /// The settings chosen; nil for `none`. Throws ``Refusal``, or the settings' own ConnectionValidationError
    /// (an address that is not a URL, say).
    public func settings() throws -> SecretsManagerSettings? {
        let given: [(Field, String?)] = [(.region, region), (.endpoint, endpoint), (.address, address), (.mount, mount)]
        let belongs: [Field] = switch kind {
        case SecretsManagerKind.awsSecretsManager.rawValue: [.region, .endpoint]
        case SecretsManagerKind.hashiCorpVault.rawValue: [.address, .mount]
        default: []
        }
        if let stray = given.first(where: { $0.1 != nil && !belongs.contains($0.0) }) {
            throw Refusal.stray(stray.0, belongs: belongs)
        }
        switch kind {
        case "none":
            return nil
        case SecretsManagerKind.awsSecretsManager.rawValue:
            guard let region else { throw Refusal.missing(.region) }
            return try .aws(region: region, endpoint: endpoint)
        case SecretsManagerKind.hashiCorpVault.rawValue:
            guard let address else { throw Refusal.missing(.address) }
            return try .vault(address: address, mount: mount ?? "secret")
        default:
            throw Refusal.unknownKind
        }
    }
}
