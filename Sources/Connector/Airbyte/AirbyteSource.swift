import Foundation
public import QlikCloudAPI

/// The Airbyte source: each table of each app is a stream (namespace = the
/// app's name), read in full (full refresh) through the engine.
public struct AirbyteSource: Sendable {
    public let client: QlikCloudClient
    public let emit: @Sendable (String) -> Void

    public init(client: QlikCloudClient, emit: @escaping @Sendable (String) -> Void) {
        self.client = client
        self.emit = emit
    }

    public func check() async -> Bool {
        do {
            let user = try await client.me()
            emit(AirbyteMessage.connectionStatus(succeeded: true, message: "Authenticated as \(user.name ?? user.id) in tenant \(user.tenantId)."))
            return true
        } catch {
            emit(AirbyteMessage.connectionStatus(succeeded: false, message: "\(error)"))
            return false
        }
    }

    public func discover(apps patterns: [String]) async throws {
        let items = try await client.items(resourceType: "app").collect().filter { item in
            patterns.isEmpty || patterns.contains { Glob.matches($0, item.name) }
        }
        var streams: [[String: Any]] = []
        for item in items {
            guard let appID = item.resourceId else { continue }
            let model = try await EngineSession.withSession(client: client, appID: appID) { session in
                try await session.tablesAndKeys(doc: try await session.openDoc())
            }
            for table in model.qtr {
                var properties: [String: Any] = [:]
                for field in table.qFields ?? [] { properties[field.qName] = Self.schema(FieldType(tags: field.qTags ?? [])) }
                streams.append(["name": table.qName, "namespace": item.name, "supported_sync_modes": ["full_refresh"],
                                "json_schema": ["$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": properties]])
            }
        }
        emit(AirbyteMessage.line(["type": "CATALOG", "catalog": ["streams": streams]]))
    }

    /// JSON Schema of a field, as Airbyte types it.
    static func schema(_ type: FieldType) -> [String: Any] {
        switch type {
        case .text: ["type": ["null", "string"]]
        case .integer: ["type": ["null", "integer"]]
        case .double, .decimal: ["type": ["null", "number"]]
        case .date: ["type": ["null", "string"], "format": "date"]
        case .timestamp: ["type": ["null", "string"], "format": "date-time", "airbyte_type": "timestamp_without_timezone"]
        case .dual: ["type": ["null", "object"], "properties": ["text": ["type": "string"], "number": ["type": "number"]]]
        }
    }

    /// Reads every selected stream of the configured catalog as RECORD messages, a STATE after each;
    /// with `selections`, only the rows associated with them (made in each stream's app before it is read).
    public func read(catalog: ConfiguredCatalog, selections: [FieldSelection] = []) async throws {
        let lookup = TenantLookup(client: client)
        for stream in catalog.streams {
            let app = try await lookup.app(stream.namespace ?? "")
            emit(AirbyteMessage.streamStatus(stream: stream.name, namespace: stream.namespace, status: "STARTED"))
            let prefix = #"{"type":"RECORD","record":{"stream":\#(FieldType.quote(stream.name)),"namespace":\#(FieldType.quote(app.name)),"emitted_at":\#(AirbyteMessage.now),"data":{"#
            let keys = KeysBox()
            let emit = self.emit
            let summary = try await TableReader(client: client, appID: app.id, table: stream.name, selections: selections).read(start: { header in
                await keys.set(header.fields.map { FieldType.quote($0) + ":" }, header.tags.map(FieldType.init(tags:)))
            }, consume: { page in
                let (names, types) = await keys.value
                for row in 0..<page.rowCount {
                    var line = prefix
                    for (column, cell) in page.row(row).enumerated() {
                        if column > 0 { line += "," }
                        line += names[column] + types[column].json(cell)
                    }
                    emit(line + "}}}")
                }
            })
            emit(AirbyteMessage.state(stream: stream.name, namespace: stream.namespace, state: ["rows": summary.rows, "sync_mode": "full_refresh"]))
            emit(AirbyteMessage.streamStatus(stream: stream.name, namespace: stream.namespace, status: "COMPLETE"))
        }
    }

    actor KeysBox {
        var value: ([String], [FieldType]) = ([], [])
        func set(_ names: [String], _ types: [FieldType]) { value = (names, types) }
    }
}

/// The `--catalog` file: the streams chosen, each with its sync modes.
public struct ConfiguredCatalog: Sendable {
    public struct Stream: Sendable {
        public let name: String
        public let namespace: String?
        public let destinationSyncMode: String?
    }

    public let streams: [Stream]

    public static func load(path: String) throws(ConnectorError) -> ConfiguredCatalog {
        guard let data = FileManager.default.contents(atPath: path),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], let streams = object["streams"] as? [[String: Any]] else {
            throw ConnectorError.badInput("The catalog \(path) is not a configured catalog (an object with 'streams').")
        }
        return ConfiguredCatalog(streams: try streams.map { entry throws(ConnectorError) in
            guard let stream = entry["stream"] as? [String: Any], let name = stream["name"] as? String else {
                throw ConnectorError.badInput("Each configured stream needs stream.name.")
            }
            return Stream(name: name, namespace: stream["namespace"] as? String, destinationSyncMode: entry["destination_sync_mode"] as? String)
        })
    }
}
