import Foundation

/// Qlik's lineage graph of the tenant, on its three levels: resources (data sets and apps), tables and fields,
/// with edges from where data comes from to where it goes. Built from what each app's load script reads:
/// a data file's table feeds the app table its LOAD fills, each file column the app field it becomes.
///
/// Node ids are QRIs (Qlik Resource Identifiers), as Qlik's lineage service uses them:
/// - an app: `qri:app:sense://{appId}`
/// - an app's table: `qri:app:sense://{appId}#{table}`
/// - an app's field: `qri:app:sense://{appId}#{table}#{field}`
/// - a data file (its data set): `qri:qdf:space://{spaceId}#{dataFileId}`; a personal file: `qri:qdf:space://personal_{ownerId}#{dataFileId}`
/// - the data file's table: `qri:qdf:space://{spaceId}#{dataFileId}#{table}` (the file's base name, as the script's source table)
/// - the data file's column: `qri:qdf:space://{spaceId}#{dataFileId}#{table}#{column}`
///
/// Table, field and column names are percent-encoded where they hold `%`, `#` or `/`. Each node's `metadata.type`
/// says its level (`RESOURCE`, `TABLE`, `FIELD`) and `metadata.subtype` its kind (`APP`, `DATASET`).
struct LineageGraph: Sendable {
    enum Level: String, Sendable, CaseIterable {
        case resource, table, field

        var nodeType: String { rawValue.uppercased() }
    }

    enum Kind: String, Sendable {
        case app = "APP", dataset = "DATASET"
    }

    struct Node: Sendable {
        let qri: String
        let label: String
        let level: Level
        let kind: Kind
        /// The resource for a table, the table for a field; nil for a resource.
        let parent: String?
        /// A data set's file, as a script names it (`lib://DataFiles/...`).
        let filePath: String?
    }

    /// Data flows from `source` to `target`; both are on the same level.
    struct Edge: Hashable, Sendable {
        let source: String
        let target: String
    }

    private(set) var nodes: [String: Node] = [:]
    /// Nodes in the order they were added, so answers list them stably.
    private(set) var order: [String] = []
    private(set) var edges: [Edge] = []
    private var edgeSet: Set<Edge> = []

    // MARK: QRIs

    static func appQRI(_ appID: String) -> String { "qri:app:sense://\(appID)" }

    static func datasetQRI(fileID: String, spaceID: String?, ownerID: String) -> String {
        "qri:qdf:space://\(spaceID ?? "personal_" + ownerID)#\(fileID)"
    }

    static func child(_ parent: String, _ name: String) -> String {
        var allowed = CharacterSet.urlFragmentAllowed
        allowed.remove(charactersIn: "%#/")
        return parent + "#" + (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name)
    }

    // MARK: Building

    /// One app's part of the graph: its tables and fields, and the data files they load from.
    struct AppInput: Sendable {
        let app: SandboxApp
        let sources: [LoadScript.TableSource]
        /// The data file each source file reference found, by the reference's position in `sources`.
        let files: [Int: DataFile]
    }

    init(apps: [AppInput], datasets: [DataFile] = []) {
        for file in datasets { addDataset(file, table: nil) }
        for input in apps {
            let appQRI = Self.appQRI(input.app.id)
            add(Node(qri: appQRI, label: input.app.name, level: .resource, kind: .app, parent: nil, filePath: nil))
            for (index, source) in input.sources.enumerated() {
                let tableQRI = Self.child(appQRI, source.table)
                add(Node(qri: tableQRI, label: source.table, level: .table, kind: .app, parent: appQRI, filePath: nil))
                for field in source.fields {
                    add(Node(qri: Self.child(tableQRI, field.name), label: field.name, level: .field, kind: .app, parent: tableQRI, filePath: nil))
                }
                guard let file = input.files[index] else { continue }
                let (datasetQRI, datasetTable) = addDataset(file, table: source.sourceTable)
                guard let datasetTable else { continue }
                connect(datasetQRI, appQRI)
                connect(datasetTable, tableQRI)
                for field in source.fields {
                    let column = Self.child(datasetTable, field.column)
                    add(Node(qri: column, label: field.column, level: .field, kind: .dataset, parent: datasetTable, filePath: nil))
                    connect(column, Self.child(tableQRI, field.name))
                }
            }
        }
    }

    @discardableResult
    private mutating func addDataset(_ file: DataFile, table: String?) -> (String, String?) {
        let qri = Self.datasetQRI(fileID: file.id, spaceID: file.spaceID, ownerID: file.ownerID)
        add(Node(qri: qri, label: file.name, level: .resource, kind: .dataset, parent: nil, filePath: "lib://DataFiles/\(file.name)"))
        let tableName = table ?? (file.name as NSString).deletingPathExtension
        let tableQRI = Self.child(qri, tableName)
        add(Node(qri: tableQRI, label: tableName, level: .table, kind: .dataset, parent: qri, filePath: nil))
        return (qri, tableQRI)
    }

    private mutating func add(_ node: Node) {
        guard nodes[node.qri] == nil else { return }
        nodes[node.qri] = node
        order.append(node.qri)
    }

    private mutating func connect(_ source: String, _ target: String) {
        let edge = Edge(source: source, target: target)
        if edgeSet.insert(edge).inserted { edges.append(edge) }
    }

    // MARK: Reading

    /// The QRIs of a node and of every node it sits in (its table, its resource).
    func lineage(of qri: String) -> [String] {
        var chain: [String] = []
        var current: String? = qri
        while let id = current, let node = nodes[id] {
            chain.append(id)
            current = node.parent
        }
        return chain
    }

    /// The nodes on `level` that are the root, hold it, or sit in it.
    func related(to root: String, on level: Level) -> [String] {
        order.filter { qri in
            guard nodes[qri]?.level == level else { return false }
            return lineage(of: qri).contains(root) || lineage(of: root).contains(qri)
        }
    }

    enum Direction: Sendable { case upstream, downstream }

    /// The root's nodes on `level` and every node data flows from (upstream) or to (downstream) within `steps`
    /// resource hops (negative: no limit), with the edges among them.
    func walk(from root: String, on level: Level, _ direction: Direction, steps: Int) -> (nodes: [Node], edges: [Edge]) {
        var reached = Set(related(to: root, on: level))
        var frontier = reached
        var hops = 0
        while !frontier.isEmpty, steps < 0 || hops < steps {
            var next: Set<String> = []
            for edge in edges {
                let (from, to) = direction == .upstream ? (edge.target, edge.source) : (edge.source, edge.target)
                if frontier.contains(from), !reached.contains(to) { next.insert(to) }
            }
            reached.formUnion(next)
            frontier = next
            hops += 1
        }
        let kept = edges.filter { reached.contains($0.source) && reached.contains($0.target) }
        return (order.filter(reached.contains).compactMap { nodes[$0] }, kept)
    }

    /// The nodes on `level` inside `container` (a resource's tables or fields, a table's fields).
    func inside(_ container: String, on level: Level) -> [Node] {
        order.compactMap { nodes[$0] }.filter { $0.level == level && $0.qri != container && lineage(of: $0.qri).contains(container) }
    }
}
