/// A lineage graph as `GET /api/v1/lineage-graphs/nodes/{id}` answers it
/// (`GraphLevelsResponse`: one `graph`, or with `level=all` a list of
/// `graphs`, one per level: RESOURCE, TABLE, FIELD). Nodes are keyed by QRI.
public struct LineageGraphLevels: Decodable, Sendable, Equatable {
    public struct Graph: Decodable, Sendable, Equatable {
        public struct Node: Decodable, Sendable, Equatable {
            public struct Metadata: Decodable, Sendable, Equatable {
                public let id: String?
                public let type: String?
                public let subtype: String?
            }
            public let label: String?
            public let metadata: Metadata?
        }
        public struct Edge: Decodable, Sendable, Equatable {
            public let relation: String?
            public let source: String?
            public let target: String?
        }
        public let type: String?
        public let label: String?
        public let nodes: [String: Node]?
        public let edges: [Edge]?
    }
    public struct Graphs: Decodable, Sendable, Equatable { public let graphs: [Graph]? }

    public let graph: Graph?
    public let graphs: Graphs?

    /// Every graph of the answer, whichever way it was sent.
    public var all: [Graph] { (graph.map { [$0] } ?? []) + (graphs?.graphs ?? []) }
}
