public import QlikCloudAPI
import QlikConnections

/// Finding what a user names: apps, spaces and data files, by name (any
/// case) or id, with the nearest existing names when there is no such thing.
public struct TenantLookup: Sendable {
    public let client: QlikCloudClient

    public init(client: QlikCloudClient) { self.client = client }

    public struct AppRef: Sendable, Equatable {
        public let id: String
        public let name: String
        public let spaceID: String?
    }

    public func app(_ nameOrID: String) async throws -> AppRef {
        let apps = try await client.items(resourceType: "app").collect()
        if let exact = apps.first(where: { $0.resourceId == nameOrID }) ?? apps.first(where: { $0.name == nameOrID })
            ?? apps.first(where: { $0.name.lowercased() == nameOrID.lowercased() }), let id = exact.resourceId {
            return AppRef(id: id, name: exact.name, spaceID: exact.spaceId)
        }
        throw ConnectorError.badInput("There is no app '\(nameOrID)' the connection's user can see. \(NearestNames.hint(nameOrID, among: apps.map(\.name)))")
    }

    public func space(_ nameOrID: String) async throws -> Space {
        let spaces = try await client.spaces().collect()
        if let found = spaces.first(where: { $0.id == nameOrID }) ?? spaces.first(where: { $0.name.lowercased() == nameOrID.lowercased() }) {
            return found
        }
        throw ConnectorError.badInput("There is no space '\(nameOrID)'. \(NearestNames.hint(nameOrID, among: spaces.map(\.name)))")
    }

    /// The data file of exactly this name (in the given DataFiles connection), or nil.
    public func dataFile(named name: String, connectionID: String? = nil) async throws -> DataFile? {
        try await client.dataFiles(name: name, connectionID: connectionID).collect().first { $0.name == name }
    }

    /// The DataFiles connection of a space: where its data files live.
    public func dataFilesConnection(of space: Space) async throws -> String {
        guard let connection = try await client.dataFileConnections(spaceID: space.id).collect().first(where: { $0.spaceId == space.id }) else {
            throw ConnectorError.badInput("The space '\(space.name)' has no DataFiles connection the connection's user can use.")
        }
        return connection.id
    }

    public func existingDataFile(named name: String) async throws -> DataFile {
        if let file = try await dataFile(named: name) { return file }
        let all = try await client.dataFiles().collect().map(\.name)
        throw ConnectorError.badInput("There is no data file '\(name)'. \(NearestNames.hint(name, among: all))")
    }
}
