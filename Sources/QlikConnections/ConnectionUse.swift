/// Who uses a connection. The seed page forbids some of them a connection
/// whose credentials come from the secret vault.
public enum ConnectionUse: String, Hashable, Sendable, CaseIterable, Codable {
    case dataIntegration = "data-integration"
    case catalog
    case dataIngestionAndReplication = "data-ingestion-and-replication"
    case dataAccessManagement = "data-access-management"
    case dataAccessPolicyPushdown = "data-access-policy-pushdown"
    case dataAccessPolicyProxy = "data-access-policy-proxy"

    public var displayName: String {
        switch self {
        case .dataIntegration: "Data Integration"
        case .catalog: "Data Governance and Catalog"
        case .dataIngestionAndReplication: "Data Ingestion and Replication"
        case .dataAccessManagement: "Data Access Management"
        case .dataAccessPolicyPushdown: "data access policies through pushdown"
        case .dataAccessPolicyProxy: "data access policies through proxy"
        }
    }

    /// Whether this use accepts a connection that takes credentials from the vault.
    public var acceptsSecretVault: Bool {
        switch self {
        case .dataIntegration, .catalog: true
        case .dataIngestionAndReplication, .dataAccessManagement, .dataAccessPolicyPushdown, .dataAccessPolicyProxy: false
        }
    }
}

extension ConnectionDefinition {
    /// Refuses a use the seed page rules out for this connection.
    public func checkUse(_ use: ConnectionUse) throws(ConnectionValidationError) {
        if useSecretVault && !use.acceptsSecretVault {
            throw ConnectionValidationError(.service,
                "Connection '\(name)' uses the secret vault, which \(use.displayName) does not support; "
                + "use a connection whose credentials are stored in the repository or on the agents.")
        }
    }

    public var permittedUses: [ConnectionUse] {
        ConnectionUse.allCases.filter { !useSecretVault || $0.acceptsSecretVault }
    }
}
