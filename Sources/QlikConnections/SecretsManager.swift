/// The secrets manager an organization has configured, if any. Its kind
/// decides the form a secret reference takes.
public enum SecretsManagerKind: String, Hashable, Sendable, Codable, CaseIterable {
    case awsSecretsManager = "aws"
    case hashiCorpVault = "vault"

    public var displayName: String {
        switch self {
        case .awsSecretsManager: "AWS Secrets Manager"
        case .hashiCorpVault: "HashiCorp Vault (KV v2)"
        }
    }
}

/// Where the secrets manager lives. Credentials for reaching it are set up
/// with the agents; only non-secret coordinates are kept here.
public struct SecretsManagerSettings: Hashable, Sendable {
    public enum Location: Hashable, Sendable {
        case aws(region: String, endpoint: String?)
        case vault(address: String, mount: String)
    }

    /// Only the validating factories below make one.
    public let location: Location
    private init(_ location: Location) { self.location = location }

    public var kind: SecretsManagerKind {
        switch location {
        case .aws: .awsSecretsManager
        case .vault: .hashiCorpVault
        }
    }

    /// Validates the coordinates of an AWS Secrets Manager.
    public static func aws(region: String, endpoint: String?) throws(ConnectionValidationError) -> SecretsManagerSettings {
        let parts = region.split(separator: "-")
        guard parts.count >= 3, region.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
            throw ConnectionValidationError(.secretsManager, "AWS region '\(region)' is not a region code such as eu-west-1.")
        }
        if let endpoint {
            guard endpoint.hasPrefix("https://") || endpoint.hasPrefix("http://"), !endpoint.contains(where: \.isWhitespace) else {
                throw ConnectionValidationError(.secretsManager, "AWS endpoint '\(endpoint)' must be an http:// or https:// URL.")
            }
        }
        return SecretsManagerSettings(.aws(region: region, endpoint: endpoint))
    }

    /// Validates the coordinates of a HashiCorp Vault KV v2 engine.
    public static func vault(address: String, mount: String = "secret") throws(ConnectionValidationError) -> SecretsManagerSettings {
        guard address.hasPrefix("https://") || address.hasPrefix("http://"), !address.contains(where: \.isWhitespace) else {
            throw ConnectionValidationError(.secretsManager, "Vault address '\(address)' must be an http:// or https:// URL such as https://vault.example.com:8200.")
        }
        guard SecretReference.isPathSegment(mount) else {
            throw ConnectionValidationError(.secretsManager, "Vault mount '\(mount)' must be one path segment such as 'secret'.")
        }
        return SecretsManagerSettings(.vault(address: address, mount: mount))
    }
}

extension SecretsManagerSettings {
    /// Where requests to the manager go: the Vault address, the AWS endpoint, or AWS's own for the region.
    public var address: String {
        switch location {
        case .aws(let region, let endpoint): endpoint ?? "https://secretsmanager.\(region).amazonaws.com"
        case .vault(let address, _): address
        }
    }

    /// The address as the operator's allow-list admits it when the settings are saved: https://, or http:// to a listed host;
    /// never a link-local or metadata address. Checked again, after name resolution, right before each request.
    public func checkAddress(admittedBy hosts: TenantHostPolicy) throws(ConnectionValidationError) {
        do {
            try hosts.checkServiceAddress(address, what: kind == .hashiCorpVault ? "Vault address" : "AWS endpoint")
        } catch {
            throw ConnectionValidationError(.secretsManager, error.description)
        }
    }
}

/// The secrets manager's own credentials, when the administrator keeps them
/// in the organization's settings (sealed like a connection's) rather than
/// in each agent's environment: an AWS access key, or Vault's AppRole.
public enum SecretsManagerField: String, Hashable, Sendable, Codable, CaseIterable {
    case awsAccessKeyID, awsSecretAccessKey, vaultRoleID, vaultSecretID

    public var label: String {
        switch self {
        case .awsAccessKeyID: "AWS Access Key ID"
        case .awsSecretAccessKey: "AWS Secret Access Key"
        case .vaultRoleID: "Vault AppRole Role ID"
        case .vaultSecretID: "Vault AppRole Secret ID"
        }
    }

    public var kind: SecretsManagerKind {
        switch self {
        case .awsAccessKeyID, .awsSecretAccessKey: .awsSecretsManager
        case .vaultRoleID, .vaultSecretID: .hashiCorpVault
        }
    }

    /// The fields a manager of `kind` takes; all of them or none are kept.
    public static func fields(for kind: SecretsManagerKind) -> [SecretsManagerField] { allCases.filter { $0.kind == kind } }
}

/// Where a sealed value belongs; sealing binds it there, so a ciphertext copied elsewhere does not open.
public enum SealedSlot: Hashable, Sendable, CustomStringConvertible {
    case connection(ConnectionID, ConnectionField)
    case secretsManager(OrganizationID, SecretsManagerField)

    public var description: String {
        switch self {
        case .connection(let id, let field): "\(field.label) of connection \(id)"
        case .secretsManager(let id, let field): "\(field.label) of organization \(id)'s secrets manager"
        }
    }
}

extension SecretsManagerField {
    /// Checks the credentials given for the manager: all of its kind's fields together, none of another kind's,
    /// and a manager to give them to.
    public static func check(_ given: Set<SecretsManagerField>, for manager: SecretsManagerKind?) throws(ConnectionValidationError) {
        guard !given.isEmpty else { return }
        guard let manager else {
            throw ConnectionValidationError(.secretsManager, "Secrets manager credentials need a secrets manager: set one (aws or vault) first.")
        }
        let wanted = Set(fields(for: manager))
        if let stray = given.subtracting(wanted).map(\.label).sorted().first {
            throw ConnectionValidationError(.secretsManager, "\(stray) does not belong to \(manager.displayName), which takes "
                + fields(for: manager).map(\.label).joined(separator: " and ") + ".")
        }
        if given != wanted {
            throw ConnectionValidationError(.secretsManager, "\(manager.displayName) takes " + fields(for: manager).map(\.label).joined(separator: " and ")
                + " together; \(wanted.subtracting(given).map(\.label).sorted().joined(separator: " and ")) is missing.")
        }
    }
}
