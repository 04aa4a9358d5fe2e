/// One field of a connection (or of the things it refers to) that breaks a
/// rule, with a message that says what is wrong and what is expected.
public struct FieldProblem: Hashable, Sendable, CustomStringConvertible {
    /// A setting elsewhere whose change makes the field acceptable. Named here, worded by each surface
    /// (the command line names its command, the API its request), since this module knows neither.
    public enum Remedy: Hashable, Sendable {
        /// The operator's tenant host allow-list does not admit the host: only the operator adds it (`qlik-connector hosts allow`).
        case tenantHostAllowList(pattern: String)
    }

    public let field: ConnectionField
    public let message: String
    public let remedy: Remedy?

    public init(_ field: ConnectionField, _ message: String, remedy: Remedy? = nil) {
        self.field = field
        self.message = message
        self.remedy = remedy
    }

    /// Messages name their field, so they read well alone.
    public var description: String { message }
}

/// The fields a user fills in, named as the seed page names them.
public enum ConnectionField: String, Hashable, Sendable, CaseIterable, Codable {
    case organization
    case name
    case description
    case useSecretVault
    case runtimeEnvironment
    case authenticationType
    case baseURL
    case accessToken
    case clientID
    case clientSecret
    case secretsManager
    case credentialStorage
    case service
    /// The operator's tenant host allow-list, as the audit trail names it.
    case tenantHosts

    public var label: String {
        switch self {
        case .organization: "Organization"
        case .name: "Connection Name"
        case .description: "Description"
        case .useSecretVault: "Use Secret Vault"
        case .runtimeEnvironment: "Runtime Environment"
        case .authenticationType: "Authentication type"
        case .baseURL: "Base URL"
        case .accessToken: "Access Token"
        case .clientID: "Client ID"
        case .clientSecret: "Client Secret"
        case .secretsManager: "Secrets manager"
        case .credentialStorage: "Credential storage"
        case .service: "Service"
        case .tenantHosts: "Tenant host allow-list"
        }
    }
}

/// Every rule a definition breaks, reported together so a user fixes them in one go.
public struct ConnectionValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let problems: [FieldProblem]

    public init(_ field: ConnectionField, _ message: String, remedy: FieldProblem.Remedy? = nil) {
        problems = [FieldProblem(field, message, remedy: remedy)]
    }

    public init(problems: [FieldProblem]) {
        precondition(!problems.isEmpty, "a validation error names at least one problem")
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }

    public func names(_ field: ConnectionField) -> Bool {
        problems.contains { $0.field == field }
    }
}
