/// `GET /api/v1/users/me`: who the credentials act for (Qlik's `User`).
public struct QlikUser: Decodable, Sendable, Equatable {
    public struct Role: Decodable, Sendable, Equatable {
        public let id: String?
        public let name: String?
        public let level: String?
        public let type: String?
    }

    public let id: String
    public let tenantId: String
    public let subject: String?
    public let name: String?
    public let email: String?
    public let status: String?
    public let assignedRoles: [Role]?
    public let assignedScopes: [String]?
}
