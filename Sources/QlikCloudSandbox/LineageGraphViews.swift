import Foundation

/// The JSON shapes of `/api/v1/lineage-graphs` (qlik-api-ts lineage-graphs: Graph, Node, Edge, GraphResponse, ...).
enum LineageGraphViews {
    struct NodeView: Encodable, Sendable {
        struct Metadata: Encodable, Sendable {
            let id: String
            let type: String
            let subtype: String
            let filePath: String?
            /// Impact overviews count what a change reaches in each resource.
            var tables: Int?
            var fields: Int?
        }
        let label: String
        let metadata: Metadata

        init(_ node: LineageGraph.Node, tables: Int? = nil, fields: Int? = nil) {
            label = node.label
            metadata = Metadata(id: node.qri, type: node.level.nodeType, subtype: node.kind.rawValue, filePath: node.filePath,
                                tables: tables, fields: fields)
        }
    }

    struct EdgeView: Encodable, Sendable {
        let id: String
        let relation: String
        let source: String
        let target: String
    }

    struct GraphView: Encodable, Sendable {
        struct Metadata: Encodable, Sendable {
            let createdAt: String
            let producerId: String
            let producerType: String
            let specVersion: String
            let total: Int
        }
        let directed: Bool
        let edges: [EdgeView]
        let label: String
        let metadata: Metadata
        let nodes: [String: NodeView]
        let type: String

        init(label: String, type: String, nodes: [NodeView], edges: [LineageGraph.Edge], producer: String, at time: Date) {
            directed = true
            self.edges = edges.enumerated().map { EdgeView(id: String($0.offset), relation: "from", source: $0.element.source, target: $0.element.target) }
            self.label = label
            metadata = Metadata(createdAt: JSONResponse.timestamp(time), producerId: producer, producerType: "lineage", specVersion: "1.0",
                                total: nodes.count)
            self.nodes = Dictionary(nodes.map { ($0.metadata.id, $0) }, uniquingKeysWith: { first, _ in first })
            self.type = type
        }
    }

    /// `GraphResponse`
    struct Single: Encodable, Sendable { let graph: GraphView }
    /// `GraphsResponse`: `{"graphs": {"graphs": [...]}}`
    struct Several: Encodable, Sendable {
        struct Graphs: Encodable, Sendable { let graphs: [GraphView] }
        let graphs: Graphs
        init(_ graphs: [GraphView]) { self.graphs = Graphs(graphs: graphs) }
    }

    struct OverviewInfo: Encodable, Sendable {
        let resourceLabel: String
        let resourceQRI: String
        let tableLabel: String
        let tableQRI: String
    }
    struct OverviewItem: Encodable, Sendable {
        let lineage: [OverviewInfo]
        let qri: String
    }
    /// `OverviewItems`
    struct Overview: Encodable, Sendable { let resources: [OverviewItem] }
}
