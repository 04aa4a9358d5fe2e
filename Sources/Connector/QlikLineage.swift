public import QlikCloudAPI

/// An app's lineage as Qlik's lineage service records it (`lineage-graphs`,
/// direct upstream, every level): the datasets it loads, and for each of its
/// fields the fields of those datasets it comes from. Kept apart from the
/// script parser's reading (``ScriptLineage``) and labelled by `source`.
public struct QlikLineage: Sendable, Codable, Equatable {
    public var source = "qlik-lineage-graph"
    public let datasets: [Dataset]
    public let fields: [FieldLineage]

    public struct Dataset: Sendable, Codable, Equatable {
        public let qri: String
        public let name: String
        public let type: String?
    }

    public struct FieldLineage: Sendable, Codable, Equatable {
        public let table: String?
        public let field: String
        public let inputs: [InputField]
    }

    public struct InputField: Sendable, Codable, Equatable {
        /// The dataset's name (its label in the graph) and QRI.
        public let dataset: String?
        public let datasetQRI: String?
        public let table: String?
        public let field: String
    }

    public init(datasets: [Dataset], fields: [FieldLineage]) {
        self.datasets = datasets
        self.fields = fields
    }

    /// Reads the graph around the app's QRI: a node belongs to the table or resource whose QRI, followed by `#`, starts its own.
    public init(graph: LineageGraphLevels, appID: String) {
        let appQRI = QlikCloudClient.appQRI(appID)
        var nodes: [String: LineageGraphLevels.Graph.Node] = [:]
        var edges: [LineageGraphLevels.Graph.Edge] = []
        var levelOf: [String: String] = [:]
        for level in graph.all {
            for (qri, node) in level.nodes ?? [:] {
                nodes[qri] = node
                levelOf[qri] = (node.metadata?.type == "FIELD" || node.metadata?.type == "TABLE") ? node.metadata?.type : (level.type ?? node.metadata?.type)
            }
            edges += level.edges ?? []
        }
        let tables = nodes.keys.filter { levelOf[$0] == "TABLE" }.sorted { $0.count > $1.count }
        let resources = nodes.keys.filter { levelOf[$0] != "TABLE" && levelOf[$0] != "FIELD" }.sorted { $0.count > $1.count }
        func owner(_ qri: String, among candidates: [String]) -> String? { candidates.first { qri.hasPrefix($0 + "#") } }
        func inApp(_ qri: String) -> Bool { qri == appQRI || qri.hasPrefix(appQRI + "#") }

        var datasetQRIs: [String] = []
        for edge in edges {
            guard let source = edge.source, let target = edge.target, inApp(target), !inApp(source) else { continue }
            let resource = levelOf[source] == "FIELD" || levelOf[source] == "TABLE" ? owner(source, among: resources) : source
            if let resource, !datasetQRIs.contains(resource) { datasetQRIs.append(resource) }
        }
        datasets = datasetQRIs.sorted().map { Dataset(qri: $0, name: nodes[$0]?.label ?? $0, type: nodes[$0]?.metadata?.subtype ?? nodes[$0]?.metadata?.type) }

        var byField: [String: [InputField]] = [:]
        for edge in edges {
            guard let source = edge.source, let target = edge.target, levelOf[target] == "FIELD", inApp(target), !inApp(source), levelOf[source] == "FIELD" else { continue }
            let table = owner(source, among: tables)
            let resource = owner(source, among: resources)
            let input = InputField(dataset: resource.flatMap { nodes[$0]?.label }, datasetQRI: resource, table: table.flatMap { nodes[$0]?.label },
                                   field: nodes[source]?.label ?? source)
            if !(byField[target] ?? []).contains(input) { byField[target, default: []].append(input) }
        }
        fields = byField.map { qri, inputs in
            FieldLineage(table: owner(qri, among: tables).flatMap { nodes[$0]?.label }, field: nodes[qri]?.label ?? qri, inputs: inputs)
        }.sorted { ($0.table ?? "", $0.field) < ($1.table ?? "", $1.field) }
    }
}
