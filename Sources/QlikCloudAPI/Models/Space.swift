/// A space (`GET /api/v1/spaces`): shared, managed or data.
public struct Space: Decodable, Sendable, Equatable {
    public let id: String
    public let name: String
    public let tenantId: String?
    public let type: String?
    public let description: String?
    public let ownerId: String?
    public let createdAt: String?
    public let updatedAt: String?
}
