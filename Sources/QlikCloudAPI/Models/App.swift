/// An app (`NxApp`): its attributes. `spaceId` is sent by tenants though
/// Qlik's published type omits it.
public struct App: Decodable, Sendable, Equatable {
    public struct Attributes: Decodable, Sendable, Equatable {
        public let id: String?
        public let name: String?
        public let description: String?
        public let ownerId: String?
        public let spaceId: String?
        public let createdDate: String?
        public let modifiedDate: String?
        public let lastReloadTime: String?
        public let publishTime: String?
        public let published: Bool?
        public let usage: String?
    }

    public let attributes: Attributes
    public var id: String { attributes.id ?? "" }
    public var name: String { attributes.name ?? "" }
}

/// `GET /api/v1/apps/{appId}/data/metadata`.
public struct DataModelMetadata: Decodable, Sendable, Equatable {
    public struct Table: Decodable, Sendable, Equatable {
        public let name: String?
        public let no_of_rows: Int?
        public let no_of_fields: Int?
        public let no_of_key_fields: Int?
        public let is_loose: Bool?
        public let is_system: Bool?
        public let byte_size: Int?
        public let comment: String?
    }

    public struct Field: Decodable, Sendable, Equatable {
        public let name: String?
        public let src_tables: [String]?
        public let is_numeric: Bool?
        public let is_system: Bool?
        public let is_hidden: Bool?
        public let cardinal: Int?
        public let total_count: Int?
        public let tags: [String]?
        public let byte_size: Int?
        public let comment: String?
    }

    public let tables: [Table]?
    public let fields: [Field]?
    public let static_byte_size: Int?
    public let has_section_access: Bool?
    public let is_direct_query_mode: Bool?
}

/// One entry of `GET /api/v1/apps/{appId}/data/lineage`.
public struct LineageInfo: Decodable, Sendable, Equatable {
    public let discriminator: String?
    public let statement: String?
}

/// `GET /api/v1/apps/{appId}/scripts`.
public struct ScriptMetaList: Decodable, Sendable, Equatable {
    public struct Meta: Decodable, Sendable, Equatable {
        public let scriptId: String?
        public let modifiedTime: String?
        public let modifierId: String?
        public let size: Int?
        public let versionMessage: String?
    }

    public let scripts: [Meta]?
}

/// A script version: `GET /api/v1/apps/{appId}/scripts/{id}` (`current` for the app's script).
public struct ScriptVersion: Codable, Sendable, Equatable {
    public let script: String?
    public let versionMessage: String?

    public init(script: String, versionMessage: String?) {
        self.script = script
        self.versionMessage = versionMessage
    }
}
