public import Foundation
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
        /// The script parser's lineage (`source: script-parser`): what the load script reads, stores and connects to.
        public let lineage: ScriptLineage
        public let lineageNote: String?
        /// Qlik's own lineage graph (`source: qlik-lineage-graph`), field level, where the tenant has it.
        public let qlikLineage: QlikLineage?
        public let sheets: [AppContents.Sheet]?
        public let masterDimensions: [AppContents.MasterDimension]?
        public let masterMeasures: [AppContents.MasterMeasure]?
        public let variables: [AppContents.Variable]?
        public let bookmarks: [AppContents.Bookmark]?
        public let dataModel: AppContents.DataModel?
        /// What could not be read, one entry per object: the rest of the app is still catalogued.
        public let problems: [Problem]
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

    /// How the apps are read: how many at once (one engine session each), and whether each session has many requests in flight.
    public struct Pace: Sendable, Equatable {
        public var concurrency: Int
        public var pipelined: Bool
        public static let standard = Pace(concurrency: 8, pipelined: true)
        /// One app at a time, one request in flight: as simple clients read a tenant.
        public static let sequential = Pace(concurrency: 1, pipelined: false)
        public init(concurrency: Int, pipelined: Bool) {
            self.concurrency = max(1, concurrency)
            self.pipelined = pipelined
        }
    }

    public static func discover(_ client: QlikCloudClient, filter: Filter = Filter(), pace: Pace = .standard) async throws -> Catalog {
        let scope = try await Scope.read(client, filter: filter)
        let apps = try await inOrder(scope.items, atMost: pace.concurrency) { item in
            try await catalogApp(item, client: client, spaceNames: scope.spaceNames, pipelined: pace.pipelined)
        }
        return Catalog(tenant: client.baseURL, spaces: scope.spaces, apps: apps, dataFiles: scope.dataFiles, edges: apps.flatMap(Self.edges))
    }

    /// What a catalog written as JSON holds, counted.
    public struct Written: Sendable {
        public let json: Data
        public let spaces, apps, dataFiles, problems: Int
    }

    /// The catalog as compact JSON with sorted keys (the JSON ``json(pretty:)`` writes of ``discover(_:filter:pace:)``'s
    /// catalog), each app encoded as soon as it is read and its entry let go: a thousand apps' sheets and charts
    /// are held as text, not as values many times its size.
    public static func discoverJSON(_ client: QlikCloudClient, filter: Filter = Filter(), pace: Pace = .standard) async throws -> Written {
        let scope = try await Scope.read(client, filter: filter)
        var out = Data("{\"apps\":[".utf8)
        var edges: [Edge] = [], problems = 0
        // Each app's text goes into the one catalog text as soon as the apps before it are in, then is let go: the
        // catalog is never held as pieces and again as their join.
        try await inOrder(scope.items, atMost: pace.concurrency) { item -> (json: Data, edges: [Edge], problems: Int) in
            let app = try await catalogApp(item, client: client, spaceNames: scope.spaceNames, pipelined: pace.pipelined)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return (try encoder.encode(app), Self.edges(app), app.problems.count)
        } each: { index, app in
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(app.json)
            edges += app.edges
            problems += app.problems
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        out.append(contentsOf: "],\"dataFiles\":".utf8)
        out.append(try encoder.encode(scope.dataFiles))
        out.append(contentsOf: ",\"edges\":".utf8)
        out.append(try encoder.encode(edges))
        out.append(contentsOf: ",\"spaces\":".utf8)
        out.append(try encoder.encode(scope.spaces))
        out.append(contentsOf: ",\"tenant\":".utf8)
        out.append(try encoder.encode(client.baseURL))
        out.append(UInt8(ascii: "}"))
        return Written(json: out, spaces: scope.spaces.count, apps: scope.items.count, dataFiles: scope.dataFiles.count, problems: problems)
    }

    /// The part of the tenant a catalog covers: its spaces, apps (as items) and data files, filtered.
    struct Scope: Sendable {
        let spaces: [SpaceEntry]
        let spaceNames: [String: String]
        let items: [Item]
        let dataFiles: [DataFileEntry]

        static func read(_ client: QlikCloudClient, filter: Filter) async throws -> Scope {
            let allSpaces = try await client.spaces().collect()
            let spaces = allSpaces.filter { space in
                (filter.space.map { Glob.matches($0, space.name) } ?? true) && (filter.spaceType.map { $0.lowercased() == space.type?.lowercased() } ?? true)
            }
            let spaceNames = Dictionary(allSpaces.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            let chosen = Set(spaces.map(\.id))
            let spaceFiltered = filter.space != nil || filter.spaceType != nil
            let items = try await client.items(resourceType: "app").collect().filter { item in
                item.resourceId != nil && (filter.app.map { Glob.matches($0, item.name) } ?? true) && (!spaceFiltered || item.spaceId.map(chosen.contains) == true)
            }
            let files = try await client.dataFiles().collect().filter { file in !spaceFiltered || file.spaceId.map(chosen.contains) == true }
            return Scope(spaces: spaces.map { SpaceEntry(id: $0.id, name: $0.name, type: $0.type) }, spaceNames: spaceNames, items: items,
                         dataFiles: files.map { DataFileEntry(id: $0.id, name: $0.name, size: $0.size, spaceID: $0.spaceId, created: $0.createdDate,
                                                              modified: $0.modifiedDate) })
        }
    }

    /// The lineage graph's edges an app's script gives: what it reads, stores and connects to.
    static func edges(_ app: AppEntry) -> [Edge] {
        let node = "app:\(app.name)"
        return app.lineage.reads.map { Edge(from: Self.dataset($0), to: node, kind: "reads") }
            + app.lineage.stores.map { Edge(from: node, to: Self.dataset($0), kind: "stores") }
            + app.lineage.connections.map { Edge(from: "connection:\($0)", to: node, kind: "connects") }
    }

    /// `body` over `items`, at most `limit` running at once; the results in the items' order.
    static func inOrder<T: Sendable, R: Sendable>(_ items: [T], atMost limit: Int, _ body: @escaping @Sendable (T) async throws -> R) async throws -> [R] {
        var results: [R] = []
        results.reserveCapacity(items.count)
        try await inOrder(items, atMost: limit, body) { _, result in results.append(result) }
        return results
    }

    /// `body` over `items`, at most `limit` running at once; `each` takes each result with its item's index, in the items'
    /// order, as soon as the results before it are in (only those that finished ahead of a slower one wait).
    static func inOrder<T: Sendable, R: Sendable>(_ items: [T], atMost limit: Int, _ body: @escaping @Sendable (T) async throws -> R,
                                                  each: (Int, R) throws -> Void) async throws {
        try await withThrowingTaskGroup(of: (Int, R).self) { group in
            var early: [Int: R] = [:]
            var next = 0, delivered = 0
            while next < min(max(1, limit), items.count) {
                let index = next
                group.addTask { (index, try await body(items[index])) }
                next += 1
            }
            while let (index, result) = try await group.next() {
                early[index] = result
                while let ready = early.removeValue(forKey: delivered) {
                    try each(delivered, ready)
                    delivered += 1
                }
                if next < items.count {
                    let index = next
                    group.addTask { (index, try await body(items[index])) }
                    next += 1
                }
            }
        }
    }

    /// What an app's engine session gives a catalog: its contents, and its load script and fields, which the session
    /// answers as well as REST does without costing a REST request (rate-limited per user) per app.
    struct EngineRead: Sendable {
        var contents: AppContents
        var script: Result<String, EngineError>
        var fields: Result<[EngineFieldDescription], EngineError>
    }

    /// One app: its contents, load script and data model over one engine session, and Qlik's lineage graph (REST alone
    /// has it). The data model's metadata and the script are asked of REST only when the engine could not give them.
    static func catalogApp(_ item: Item, client: QlikCloudClient, spaceNames: [String: String], pipelined: Bool) async throws -> AppEntry {
        let id = item.resourceId ?? ""
        let graph: Result<LineageGraphLevels, QlikAPIError>
        let engineRead: Result<EngineRead, EngineError>
        let reader: @Sendable (any EngineCalls) async throws(EngineError) -> EngineRead = { engine throws(EngineError) in
            let doc = try await engine.openDoc(id)
            guard pipelined else {
                let contents = await AppContentsReader(engine: engine, pipelined: false).read(doc: doc)
                let script = await Self.engineResult { () async throws(EngineError) in try await engine.loadScript(doc: doc) }
                return EngineRead(contents: contents, script: script,
                                  fields: await Self.engineResult { () async throws(EngineError) in try await engine.fieldList(doc: doc) })
            }
            async let contents = AppContentsReader(engine: engine, pipelined: true).read(doc: doc)
            async let script = Self.engineResult { () async throws(EngineError) in try await engine.loadScript(doc: doc) }
            async let fields = Self.engineResult { () async throws(EngineError) in try await engine.fieldList(doc: doc) }
            return EngineRead(contents: await contents, script: await script, fields: await fields)
        }
        if pipelined {
            async let graphRead = Self.result { () async throws(QlikAPIError) in try await client.lineageGraph(appID: id) }
            async let contentsRead = Self.engineContents(client: client, appID: id, reader)
            (graph, engineRead) = (await graphRead, await contentsRead)
        } else {
            graph = await Self.result { () async throws(QlikAPIError) in try await client.lineageGraph(appID: id) }
            engineRead = await Self.engineContents(client: client, appID: id, reader)
        }
        var problems: [Problem] = []
        var qlikLineage: QlikLineage?
        switch graph {
        case .success(let graph): qlikLineage = QlikLineage(graph: graph, appID: id)
        case .failure(let error):
            // A tenant without lineage for the app (404) has the script parser's reading only; other refusals are said.
            if error.kind != .notFound { problems.append(Problem(object: "lineage graph", message: error.description)) }
        }
        var read = AppContents()
        var engineScript: String?, engineModel: (tables: [TableEntry], fields: [FieldEntry])?
        switch engineRead {
        case .success(let value):
            read = value.contents
            engineScript = try? value.script.get()
            engineModel = try? Self.model(read.dataModel, fields: value.fields.get())
        case .failure(let error): problems.append(Problem(object: "app \(item.name) (engine)", message: error.description))
        }
        let opened = (try? engineRead.get()) != nil
        // Only what the engine could not give is asked of REST, so a session that ended early still leaves a full entry.
        let script: Result<String, QlikAPIError> = if let engineScript { .success(engineScript) } else {
            await Self.result { () async throws(QlikAPIError) in try await client.script(appID: id).script ?? "" }
        }
        var tables: [TableEntry] = [], fields: [FieldEntry] = []
        if let engineModel {
            (tables, fields) = engineModel
        } else {
            // An app whose metadata the caller may not read is still catalogued, with the refusal in its problems.
            switch await Self.result({ () async throws(QlikAPIError) in try await client.dataModelMetadata(appID: id) }) {
            case .success(let metadata): (tables, fields) = Self.model(metadata)
            case .failure(let error): problems.append(Problem(object: "data model metadata (REST)", message: error.description))
            }
        }
        // An app whose script the user may not read still belongs in the catalog; its entry says why it has no lineage.
        var lineageNote: String?
        if case .failure(let error) = script { lineageNote = "The load script could not be read: \(error.message)" }
        // Qlik answers "" for an app never reloaded.
        let lastReload = item.resourceReloadEndTime.flatMap { $0.isEmpty ? nil : $0 }
        return AppEntry(id: id, name: item.name, spaceID: item.spaceId, space: item.spaceId.flatMap { spaceNames[$0] }, ownerID: item.ownerId,
                        lastReload: lastReload, sizeBytes: item.resourceSize?.appFile, tables: tables, fields: fields,
                        lineage: ScriptLineage(script: (try? script.get()) ?? ""), lineageNote: lineageNote, qlikLineage: qlikLineage,
                        sheets: opened ? read.sheets : nil, masterDimensions: opened ? read.masterDimensions : nil,
                        masterMeasures: opened ? read.masterMeasures : nil, variables: opened ? read.variables : nil,
                        bookmarks: opened ? read.bookmarks : nil, dataModel: read.dataModel, problems: problems + read.problems)
    }

    /// Tables and fields as REST's `data/metadata` lists them, from the engine's data model (`GetTablesAndKeys`: tables,
    /// row counts, which tables hold a field) and field list (each field's distinct values and tags across the app); nil
    /// when either is missing or they disagree on a field.
    static func model(_ dataModel: AppContents.DataModel?, fields described: [EngineFieldDescription]) -> (tables: [TableEntry], fields: [FieldEntry])? {
        guard let dataModel else { return nil }
        var order: [String] = [], tablesOf: [String: [String]] = [:]
        for table in dataModel.tables {
            for field in table.fields {
                if tablesOf[field.name] == nil { order.append(field.name) }
                tablesOf[field.name, default: []].append(table.name)
            }
        }
        let descriptions = Dictionary(described.filter { $0.qIsSystem != true }.map { ($0.qName, $0) }, uniquingKeysWith: { first, _ in first })
        var fields: [FieldEntry] = []
        for name in order {
            guard let description = descriptions[name] else { return nil }
            let tables = tablesOf[name] ?? [], tags = description.qTags ?? []
            fields.append(FieldEntry(name: name, tables: tables, type: FieldType(tags: tags), tags: tags, distinctValues: description.qCardinal,
                                     isKey: tables.count > 1))
        }
        return (dataModel.tables.map { TableEntry(name: $0.name, rows: $0.rows, fields: $0.fields.count) }, fields)
    }

    /// Tables and fields from REST's `data/metadata`, system fields left out.
    static func model(_ metadata: DataModelMetadata) -> (tables: [TableEntry], fields: [FieldEntry]) {
        let tables = (metadata.tables ?? []).map { TableEntry(name: $0.name ?? "", rows: $0.no_of_rows, fields: $0.no_of_fields) }
        let fields = (metadata.fields ?? []).filter { $0.is_system != true }.map { field in
            FieldEntry(name: field.name ?? "", tables: field.src_tables ?? [], type: FieldType(tags: field.tags ?? []), tags: field.tags ?? [],
                       distinctValues: field.cardinal, isKey: (field.src_tables?.count ?? 0) > 1)
        }
        return (tables, fields)
    }

    /// The app's contents over its own engine session; a session that does not open is the app's problem, not the catalog's.
    static func engineContents<T: Sendable>(client: QlikCloudClient, appID: String,
                                            _ reader: @escaping @Sendable (any EngineCalls) async throws(EngineError) -> T) async -> Result<T, EngineError> {
        do {
            return .success(try await EngineSession.withSession(client: client, appID: appID) { session in try await reader(session) })
        } catch let error as EngineError {
            return .failure(error)
        } catch let error as QlikAPIError {
            return .failure(.upgradeRefused(error.description))
        } catch {
            return .failure(.connectionLost("\(error)"))
        }
    }

    static func result<T: Sendable>(_ body: () async throws(QlikAPIError) -> T) async -> Result<T, QlikAPIError> {
        do throws(QlikAPIError) { return .success(try await body()) } catch { return .failure(error) }
    }

    static func engineResult<T: Sendable>(_ body: () async throws(EngineError) -> T) async -> Result<T, EngineError> {
        do throws(EngineError) { return .success(try await body()) } catch { return .failure(error) }
    }

    /// The catalog as JSON with sorted keys (indented when `pretty`), encoded one app at a time: an encoder holds
    /// its whole value as a tree while it writes, which for a thousand apps' sheets and charts is many times the
    /// text; app by app, only one app's tree is alive at once.
    public func json(pretty: Bool) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys]
        func piece<T: Encodable>(_ value: T, indent: Int) throws -> Data {
            let data = try encoder.encode(value)
            guard pretty, indent > 0 else { return data }
            // JSON text has no raw line breaks inside strings, so each line break starts a line to indent.
            var indented = Data(capacity: data.count + data.count / 8)
            let margin = [UInt8](repeating: UInt8(ascii: " "), count: indent)
            for byte in data {
                indented.append(byte)
                if byte == UInt8(ascii: "\n") { indented.append(contentsOf: margin) }
            }
            return indented
        }
        let (open, between, last, close) = pretty ? ("{\n  \"apps\" : [\n    ", ",\n    ", "\n  ],\n  ", "\n}") : ("{\"apps\":[", ",", "],", "}")
        var out = Data(open.utf8)
        for (index, app) in apps.enumerated() {
            if index > 0 { out.append(contentsOf: between.utf8) }
            out.append(try piece(app, indent: 4))
        }
        out.append(contentsOf: last.utf8)
        let separator = pretty ? " : " : ":"
        let rest: [(String, Data)] = [("dataFiles", try piece(dataFiles, indent: 2)), ("edges", try piece(edges, indent: 2)),
                                      ("spaces", try piece(spaces, indent: 2)), ("tenant", try piece(tenant, indent: 2))]
        for (index, (key, value)) in rest.enumerated() {
            if index > 0 { out.append(contentsOf: (pretty ? ",\n  " : ",").utf8) }
            out.append(contentsOf: "\"\(key)\"\(separator)".utf8)
            out.append(value)
        }
        out.append(contentsOf: close.utf8)
        return out
    }
}
