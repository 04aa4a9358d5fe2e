import Foundation
import Hummingbird

/// `/api/v1/lineage-graphs`: upstream lineage (`nodes/{id}`) and downstream impact (`impact/{id}`) of a QRI
/// (formats in ``LineageGraph``). The QRI is one path segment, percent-encoded as clients send it; an
/// unencoded one (its `://` and all) is read too.
struct LineageGraphRoutes {
    let tenant: Tenant

    private static let nodesPrefix = "/api/v1/lineage-graphs/nodes/"
    private static let impactPrefix = "/api/v1/lineage-graphs/impact/"

    func register(on group: RouterGroup<SandboxContext>) {
        group.get("lineage-graphs/nodes/**") { request, context in try await nodes(request, user: try context.requireUser()) }
        group.post("lineage-graphs/nodes/**") { request, context in try await nodeOverview(request, user: try context.requireUser()) }
        group.get("lineage-graphs/impact/**") { request, context in try await impact(request, user: try context.requireUser()) }
    }

    /// The QRI and what follows it (`""`, `/actions/expand`, `/actions/search`, `/overview`, `/source`).
    private static func split(_ request: Request, prefix: String, actions: [String]) throws(QlikErrorResponse) -> (qri: String, action: String) {
        let path = request.uri.path
        guard path.hasPrefix(prefix) else { throw .notFound("No such lineage resource: \(path).") }
        var rest = String(path.dropFirst(prefix.count))
        var action = ""
        for candidate in actions where rest.hasSuffix(candidate) {
            action = candidate
            rest = String(rest.dropLast(candidate.count))
            break
        }
        guard let qri = rest.removingPercentEncoding, !qri.isEmpty else { throw .badRequest("The path must end in a QRI, percent-encoded.") }
        return (qri, action)
    }

    private static func level(_ request: Request, allowed: [LineageGraph.Level], required: Bool) throws(QlikErrorResponse) -> LineageGraph.Level? {
        guard let raw = request.uri.queryParameters["level"].map({ String($0).lowercased() }) else {
            if required { throw .badRequest("level is required: one of \(allowed.map(\.rawValue).joined(separator: ", ")).") }
            return nil
        }
        guard let level = LineageGraph.Level(rawValue: raw), allowed.contains(level) else {
            throw .badRequest("level must be one of \(allowed.map(\.rawValue).joined(separator: ", ")); got '\(raw)'.")
        }
        return level
    }

    /// `up`/`down`: 5 when absent, -1 for no limit, as Qlik reads them.
    private static func steps(_ request: Request, _ name: String) throws(QlikErrorResponse) -> Int {
        guard let raw = request.uri.queryParameters[Substring(name)] else { return 5 }
        guard let value = Int(String(raw)), value >= -1 else { throw .badRequest("\(name) must be a whole number, -1 for no limit; got '\(raw)'.") }
        return value
    }

    private static func requiredQuery(_ request: Request, _ name: String) throws(QlikErrorResponse) -> String {
        guard let value = request.uri.queryParameters[Substring(name)].map(String.init), !value.isEmpty else {
            throw .badRequest("The query parameter \(name) is required.")
        }
        return value
    }

    /// The graph around a QRI: an app's graph holds the app and what it reads; a data set's holds every app, for its impact.
    private func graph(around qri: String, user: SandboxUser) async throws(QlikErrorResponse) -> LineageGraph {
        let appPrefix = "qri:app:sense://"
        let graph: LineageGraph
        if qri.hasPrefix(appPrefix) {
            let appID = String(qri.dropFirst(appPrefix.count).prefix { $0 != "#" })
            graph = await LineageGraph.of(tenant, appID: appID, visibleTo: user)
        } else {
            graph = await LineageGraph.of(tenant, visibleTo: user)
        }
        guard graph.nodes[qri] != nil else {
            throw QlikErrorResponse.notFound("No lineage node with QRI \(qri): apps are qri:app:sense://{appId}, data files qri:qdf:space://{spaceId}#{dataFileId}, and their tables and fields add #{table} and #{field}.")
        }
        return graph
    }

    private func view(_ graph: LineageGraph, root: String, level: LineageGraph.Level, nodes: [LineageGraph.Node], edges: [LineageGraph.Edge],
                      type: String) -> LineageGraphViews.GraphView {
        LineageGraphViews.GraphView(label: graph.nodes[root]?.label ?? root, type: type, nodes: nodes.map { LineageGraphViews.NodeView($0) },
                                    edges: edges, producer: root, at: tenant.clock())
    }

    private func nodes(_ request: Request, user: SandboxUser) async throws -> Response {
        let (qri, action) = try Self.split(request, prefix: Self.nodesPrefix, actions: ["/actions/expand", "/actions/search"])
        let graph = try await graph(around: qri, user: user)
        let up = try Self.steps(request, "up")
        switch action {
        case "/actions/expand":
            // The expanded node's tables or fields, and their edges (the nodes at the edges' other ends are not part of the answer).
            let level = try Self.level(request, allowed: [.table, .field], required: true) ?? .table
            let node = try Self.requiredQuery(request, "node")
            let upstream = graph.walk(from: qri, on: level, .upstream, steps: up)
            guard graph.nodes[node] != nil else { throw QlikErrorResponse.notFound("No lineage node with QRI \(node) in the graph of \(qri).") }
            let inner = graph.inside(node, on: level).filter { inner in upstream.nodes.contains { $0.qri == inner.qri } }
            let ids = Set(inner.map(\.qri))
            let edges = upstream.edges.filter { ids.contains($0.source) || ids.contains($0.target) }
            return try JSONResponse.make(LineageGraphViews.Single(graph: view(graph, root: node, level: level, nodes: inner, edges: edges, type: "LINEAGE")))
        case "/actions/search":
            let terms = try Self.searchTerms(try Self.requiredQuery(request, "filter"))
            let graphs = LineageGraph.Level.allCases.map { level in
                let found = graph.walk(from: qri, on: level, .upstream, steps: up)
                let matching = found.nodes.filter { node in terms.contains { node.label.localizedCaseInsensitiveContains($0) } }
                return view(graph, root: qri, level: level, nodes: matching, edges: [], type: "LINEAGE")
            }
            return try JSONResponse.make(LineageGraphViews.Several(graphs))
        default:
            let levels: [LineageGraph.Level]
            if request.uri.queryParameters["level"].map({ $0.lowercased() }) == "all" {
                levels = LineageGraph.Level.allCases
            } else {
                levels = [try Self.level(request, allowed: LineageGraph.Level.allCases, required: false) ?? .resource]
            }
            let graphs = levels.map { level in
                let found = graph.walk(from: qri, on: level, .upstream, steps: up)
                return view(graph, root: qri, level: level, nodes: found.nodes, edges: found.edges, type: "LINEAGE")
            }
            if levels.count == 1 { return try JSONResponse.make(LineageGraphViews.Single(graph: graphs[0])) }
            return try JSONResponse.make(LineageGraphViews.Several(graphs))
        }
    }

    /// `POST nodes/{id}/overview` with field QRIs: for each, the tables (and their resources) its data comes from directly.
    private func nodeOverview(_ request: Request, user: SandboxUser) async throws -> Response {
        let (qri, action) = try Self.split(request, prefix: Self.nodesPrefix, actions: ["/overview"])
        guard action == "/overview" else { throw QlikErrorResponse.notFound("No such lineage resource: \(request.uri.path).") }
        let graph = try await graph(around: qri, user: user)
        let fields = try await JSONResponse.decode([String].self, from: request)
        let items = fields.map { field in
            let sources = graph.edges.filter { $0.target == field }.compactMap { graph.nodes[$0.source] }
            let lineage = sources.compactMap { source -> LineageGraphViews.OverviewInfo? in
                guard let table = source.parent.flatMap({ graph.nodes[$0] }), let resource = table.parent.flatMap({ graph.nodes[$0] }) else { return nil }
                return LineageGraphViews.OverviewInfo(resourceLabel: resource.label, resourceQRI: resource.qri, tableLabel: table.label, tableQRI: table.qri)
            }
            return LineageGraphViews.OverviewItem(lineage: lineage, qri: field)
        }
        return try JSONResponse.make(LineageGraphViews.Overview(resources: items))
    }

    private func impact(_ request: Request, user: SandboxUser) async throws -> Response {
        let (qri, action) = try Self.split(request, prefix: Self.impactPrefix, actions: ["/actions/expand", "/actions/search", "/overview", "/source"])
        let graph = try await graph(around: qri, user: user)
        let down = try Self.steps(request, "down")
        switch action {
        case "/overview":
            // Every resource a change reaches, with how many of its tables and fields it reaches.
            let tables = graph.walk(from: qri, on: .table, .downstream, steps: down).nodes
            let fields = graph.walk(from: qri, on: .field, .downstream, steps: down).nodes
            let rootResource = graph.lineage(of: qri).last
            let resources = graph.walk(from: qri, on: .resource, .downstream, steps: down).nodes.filter { $0.qri != rootResource }
            let views = resources.map { resource in
                LineageGraphViews.NodeView(resource, tables: tables.filter { $0.parent == resource.qri }.count,
                                           fields: fields.filter { graph.lineage(of: $0.qri).contains(resource.qri) }.count)
            }
            return try JSONResponse.make(LineageGraphViews.Single(graph: LineageGraphViews.GraphView(
                label: graph.nodes[qri]?.label ?? qri, type: "IMPACT", nodes: views, edges: [], producer: qri, at: tenant.clock())))
        case "/actions/expand":
            let level = try Self.level(request, allowed: [.table, .field], required: true) ?? .table
            let node = try Self.requiredQuery(request, "node")
            guard graph.nodes[node] != nil else { throw QlikErrorResponse.notFound("No lineage node with QRI \(node) in the impact of \(qri).") }
            let downstream = graph.walk(from: qri, on: level, .downstream, steps: down)
            let inner = graph.inside(node, on: level).filter { inner in downstream.nodes.contains { $0.qri == inner.qri } }
            let ids = Set(inner.map(\.qri))
            let edges = downstream.edges.filter { ids.contains($0.source) || ids.contains($0.target) }
            return try JSONResponse.make(LineageGraphViews.Single(graph: view(graph, root: node, level: level, nodes: inner, edges: edges, type: "IMPACT")))
        case "/actions/search":
            let terms = try Self.searchTerms(try Self.requiredQuery(request, "filter"))
            let graphs = LineageGraph.Level.allCases.map { level in
                let found = graph.walk(from: qri, on: level, .downstream, steps: down)
                return view(graph, root: qri, level: level, nodes: found.nodes.filter { node in terms.contains { node.label.localizedCaseInsensitiveContains($0) } },
                            edges: [], type: "IMPACT")
            }
            return try JSONResponse.make(LineageGraphViews.Several(graphs))
        case "/source":
            // The root node on every level: itself or what it holds; no edges.
            let graphs = LineageGraph.Level.allCases.map { level in
                view(graph, root: qri, level: level, nodes: graph.related(to: qri, on: level).compactMap { graph.nodes[$0] }, edges: [], type: "IMPACT")
            }
            return try JSONResponse.make(LineageGraphViews.Several(graphs))
        default:
            throw QlikErrorResponse.notFound("No such impact resource: \(request.uri.path); use impact/{id}/overview, /source, /actions/expand or /actions/search.")
        }
    }

    /// `label co "a" or label co "b"`: the texts to look for (case-insensitive), as Qlik's lineage search takes them.
    static func searchTerms(_ filter: String) throws(QlikErrorResponse) -> [String] {
        let clauses = filter.components(separatedBy: " or ")
        return try clauses.map { clause throws(QlikErrorResponse) in
            let parts = clause.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 2)
            guard parts.count == 3, parts[0] == "label", parts[1] == "co", parts[2].hasPrefix("\""), parts[2].hasSuffix("\""), parts[2].count >= 2 else {
                throw .badRequest("filter supports label co \"text\", joined by or; got '\(clause)'.")
            }
            return String(parts[2].dropFirst().dropLast())
        }
    }
}
