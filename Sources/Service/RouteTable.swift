import Hummingbird

/// The routes a router serves, by path template, read from Hummingbird's own list (`Router.routes`) once every route is
/// registered: what a path that matched no route would take, for a 405 with `Allow` instead of a 404 (RFC 9110, 15.5.6).
struct RouteTable: Sendable {
    private struct Template: Sendable {
        let components: [RouterPath.Element]
        var methods: Set<HTTPRequest.Method>
    }

    private let templates: [Template]

    init(_ routes: [Router<ServiceContext>.RouteDescription]) {
        var byPath: [String: Template] = [:]
        for route in routes {
            byPath[route.path.description, default: Template(components: route.path.components, methods: [])].methods.insert(route.method)
        }
        templates = Array(byPath.values)
    }

    /// The methods routed for `path`, in the order an `Allow` header lists them; empty when no route takes the path.
    /// Where templates overlap, the one with literal segments first wins, as Hummingbird's trie prefers them.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let matching = templates.filter { template in
            template.components.count == parts.count && zip(template.components, parts).allSatisfy { element, part in element ~= part }
        }
        guard let best = matching.max(by: { Self.literals($0).lexicographicallyPrecedes(Self.literals($1)) }) else { return [] }
        return Self.allowOrder.filter(best.methods.contains) + best.methods.filter { !Self.allowOrder.contains($0) }.sorted { $0.rawValue < $1.rawValue }
    }

    /// 1 for each literal segment, 0 for a capture or wildcard: compared left to right, more specific templates rank higher.
    private static func literals(_ template: Template) -> [Int] {
        template.components.map { element in element.description.contains(where: { "{*".contains($0) }) ? 0 : 1 }
    }

    private static let allowOrder: [HTTPRequest.Method] = [.get, .head, .put, .post, .delete, .patch, .options]
}
