import Foundation
public import QlikCloudAPI

/// `discover`: the tenant's catalog as the connection's user sees it.
public struct Catalog: Sendable, Codable {
    public struct SpaceEntry: Sendable, Codable { public let id, name: String; public let type: String? }
    public struct TableEntry: Sendable, Codable { public let name: String; public let rows: Int?; public let fields: Int? }
    public struct FieldEntry: Sendable, Codable {
        public let name: String
        public let tables: [String]
        public let type: FieldType
        public let tags: [String]
        public let distinctValues: Int?
        public let isKey: Bool
    }
    public struct AppEntry: Sendable, Codable {
        public let id, name: String
        public let spaceID: String?
        public let space: String?
        public let ownerID: String?
        public let lastReload: String?
        public let sizeBytes: Double?
        public let tables: [TableEntry]
        public let fields: [FieldEntry]
        public let lineage: ScriptLineage
        public let lineageNote: String?
    }
    public struct DataFileEntry: Sendable, Codable {
        public let id, name: String
        public let size: Int?
        public let spaceID: String?
        public let created: String?
        public let modified: String?
    }
    /// The lineage graph: apps and datasets, and who reads or writes what.
    public struct Edge: Sendable, Codable, Equatable { public let from, to, kind: String }

    public let tenant: String
    public let spaces: [SpaceEntry]
    public let apps: [AppEntry]
    public let dataFiles: [DataFileEntry]
    public let edges: [Edge]

    public struct Filter: Sendable {
        public var space: String?
        public var spaceType: String?
        public var app: String?
        public init(space: String? = nil, spaceType: String? = nil, app: String? = nil) {
            self.space = space
            self.spaceType = spaceType
            self.app = app
        }
    }

    public static func discover(_ client: QlikCloudClient, filter: Filter = Filter()) async throws -> Catalog {
        let allSpaces = try await client.spaces().collect()
        let spaces = allSpaces.filter { space in
            (filter.space.map { Glob.matches($0, space.name) } ?? true) && (filter.spaceType.map { $0.lowercased() == space.type?.lowercased() } ?? true)
        }
        let spaceNames = Dictionary(allSpaces.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let chosen = Set(spaces.map(\.id))
        let spaceFiltered = filter.space != nil || filter.spaceType != nil
        let items = try await client.items(resourceType: "app").collect().filter { item in
            (filter.app.map { Glob.matches($0, item.name) } ?? true) && (!spaceFiltered || item.spaceId.map(chosen.contains) == true)
        }
        var apps: [AppEntry] = []
        for item in items {
            guard let id = item.resourceId else { continue }
            let metadata = try await client.dataModelMetadata(appID: id)
            // An app whose script the user may not read still belongs in the catalog; its entry says why it has no lineage.
            var script: String?
            var lineageNote: String?
            do { script = try await client.script(appID: id).script } catch { lineageNote = "The load script could not be read: \(error.message)" }
            let tables = (metadata.tables ?? []).map { TableEntry(name: $0.name ?? "", rows: $0.no_of_rows, fields: $0.no_of_fields) }
            let fields = (metadata.fields ?? []).filter { $0.is_system != true }.map { field in
                FieldEntry(name: field.name ?? "", tables: field.src_tables ?? [], type: FieldType(tags: field.tags ?? []), tags: field.tags ?? [],
                           distinctValues: field.cardinal, isKey: (field.src_tables?.count ?? 0) > 1)
            }
            // Qlik answers "" for an app never reloaded.
            let lastReload = item.resourceReloadEndTime.flatMap { $0.isEmpty ? nil : $0 }
            apps.append(AppEntry(id: id, name: item.name, spaceID: item.spaceId, space: item.spaceId.flatMap { spaceNames[$0] }, ownerID: item.ownerId,
                                 lastReload: lastReload, sizeBytes: item.resourceSize?.appFile, tables: tables, fields: fields,
                                 lineage: ScriptLineage(script: script ?? ""), lineageNote: lineageNote))
        }
        let files = try await client.dataFiles().collect().filter { file in !spaceFiltered || file.spaceId.map(chosen.contains) == true }
        var edges: [Edge] = []
        for app in apps {
            let node = "app:\(app.name)"
            for source in app.lineage.reads { edges.append(Edge(from: Self.dataset(source), to: node, kind: "reads")) }
            for target in app.lineage.stores { edges.append(Edge(from: node, to: Self.dataset(target), kind: "stores")) }
            for connection in app.lineage.connections { edges.append(Edge(from: "connection:\(connection)", to: node, kind: "connects")) }
        }
        return Catalog(tenant: client.baseURL, spaces: spaces.map { SpaceEntry(id: $0.id, name: $0.name, type: $0.type) }, apps: apps,
                       dataFiles: files.map { DataFileEntry(id: $0.id, name: $0.name, size: $0.size, spaceID: $0.spaceId, created: $0.createdDate,
                                                            modified: $0.modifiedDate) },
                       edges: edges)
    }

    /// A dataset node: a data file by name, otherwise the path or table as written.
    static func dataset(_ path: String) -> String {
        if let name = ScriptLineage.dataFileName(path) { return "datafile:\(name)" }
        return "dataset:\(path)"
    }

    /// OpenLineage run events, one per app: its reads as inputs, its stores as outputs.
    public func openLineageEvents(producer: String = "https://github.com/qlik-connector/qlik-connector") -> [[String: Any]] {
        apps.map { app in
            func dataset(_ path: String) -> [String: Any] {
                if let name = ScriptLineage.dataFileName(path) { return ["namespace": tenant + "/datafiles", "name": name] }
                return ["namespace": tenant, "name": path]
            }
            return [
                "eventType": "COMPLETE",
                "eventTime": app.lastReload ?? ISO8601DateFormatter().string(from: Date()),
                "run": ["runId": Self.runID(app.id + (app.lastReload ?? ""))],
                "job": ["namespace": tenant, "name": app.name],
                "inputs": app.lineage.reads.map(dataset),
                "outputs": app.lineage.stores.map(dataset),
                "producer": producer,
                "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            ]
        }
    }

    /// A stable UUID-shaped run id from the app and its reload time.
    static func runID(_ seed: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in seed.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            second = (second ^ UInt64(byte)) &* 0x100_0000_01b5
        }
        let hex = String(format: "%016llx%016llx", hash, second)
        let characters = Array(hex)
        return "\(String(characters[0..<8]))-\(String(characters[8..<12]))-4\(String(characters[13..<16]))-a\(String(characters[17..<20]))-\(String(characters[20..<32]))"
    }
}

/// Shell-style patterns: `*` any run, `?` one character, case-insensitive.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        // Without wildcards a pattern is a part of the name.
        if !pattern.contains("*") && !pattern.contains("?") { return text.lowercased().contains(pattern.lowercased()) }
        let pattern = Array(pattern.lowercased()), text = Array(text.lowercased())
        var memo: [[Bool?]] = Array(repeating: Array(repeating: nil, count: text.count + 1), count: pattern.count + 1)
        func match(_ p: Int, _ t: Int) -> Bool {
            if let known = memo[p][t] { return known }
            let result: Bool
            if p == pattern.count { result = t == text.count }
            else if pattern[p] == "*" { result = match(p + 1, t) || (t < text.count && match(p, t + 1)) }
            else { result = t < text.count && (pattern[p] == "?" || pattern[p] == text[t]) && match(p + 1, t + 1) }
            memo[p][t] = result
            return result
        }
        return match(0, 0)
    }
}
