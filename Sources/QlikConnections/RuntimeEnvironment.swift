public import Foundation

/// Where a connection's tasks run: a group of Secure Agents close to the
/// data, or the organization's serverless environment.
public struct RuntimeEnvironment: Hashable, Sendable, Identifiable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case secureAgentGroup = "secure-agent-group"
        case serverless

        public var displayName: String {
            switch self {
            case .secureAgentGroup: "Secure Agent group"
            case .serverless: "serverless"
            }
        }
    }

    public let id: RuntimeEnvironmentID
    public let organizationID: OrganizationID
    public var name: RuntimeEnvironmentName
    public let kind: Kind
    public let createdAt: Date

    public init(
        id: RuntimeEnvironmentID = RuntimeEnvironmentID(),
        organizationID: OrganizationID,
        name: RuntimeEnvironmentName,
        kind: Kind,
        createdAt: Date = Date()
    ) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.kind = kind
        self.createdAt = createdAt.millisecondPrecision
    }

    /// The serverless environment every organization has from its creation.
    public static func serverless(for organization: OrganizationID) -> RuntimeEnvironment {
        RuntimeEnvironment(organizationID: organization, name: .serverless, kind: .serverless)
    }
}
