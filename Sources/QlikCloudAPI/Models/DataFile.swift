/// A data file (`DataFileUploadResponse`): what `lib://DataFiles/<name>` reads.
public struct DataFile: Decodable, Sendable, Equatable {
    public let id: String
    public let name: String
    public let size: Int?
    public let ownerId: String?
    public let spaceId: String?
    public let appId: String?
    public let createdDate: String?
    public let modifiedDate: String?
    public let contentUpdatedDate: String?
}

/// `GET /api/v1/data-files/quotas`.
public struct DataFileQuotas: Decodable, Sendable, Equatable {
    public let maxFileSize: Int
    public let maxLargeFileSize: Int
    public let maxSize: Int?
    public let size: Int?
    public let allowedExtensions: [String]?
}

/// A space's DataFiles connection (`GET /api/v1/data-files/connections`).
public struct DataFileConnection: Decodable, Sendable, Equatable {
    public let id: String
    public let name: String
    public let type: String?
    public let spaceId: String?
}
