/// An item of the catalog (`GET /api/v1/items`); for apps, `resourceId` is the app id.
public struct Item: Decodable, Sendable, Equatable {
    public let id: String
    public let name: String
    public let resourceType: String
    public let resourceId: String?
    public let spaceId: String?
    public let ownerId: String?
    public let description: String?
    public let createdAt: String?
    public let updatedAt: String?
    public let resourceUpdatedAt: String?
    public let resourceReloadEndTime: String?
    public let resourceReloadStatus: String?
    public let resourceSize: ResourceSize?

    public struct ResourceSize: Decodable, Sendable, Equatable {
        public let appFile: Double?
        public let appMemory: Double?
    }
}
