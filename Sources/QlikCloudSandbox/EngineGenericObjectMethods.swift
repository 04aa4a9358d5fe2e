import Foundation

/// The GenericObject class: sheets, charts and session objects, their properties, layouts and data pages.
extension EngineSession {
    mutating func genericObjectMethod(_ method: String, handle: Int, _ params: Params) async throws -> [String: Any] {
        guard let cube = objects[handle] else { throw RPCError.invalidHandle }
        switch method {
        case "GetLayout":
            return ["qLayout": cube.layout]
        case "GetHyperCubeData":
            let pages = params.array(1, "qPages") ?? []
            let areas = pages.compactMap { $0 as? [String: Any] }.map {
                (top: $0["qTop"] as? Int ?? 0, left: $0["qLeft"] as? Int ?? 0, width: $0["qWidth"] as? Int ?? 0, height: $0["qHeight"] as? Int ?? 0)
            }
            let cells = areas.reduce(0) { $0 + max(0, $1.width) * max(0, $1.height) }
            guard cells <= Self.maximumCells else {
                throw RPCError(code: 7009, parameter: "qPages", message: "Calculation pages too large: \(cells) cells requested, at most \(Self.maximumCells)")
            }
            return ["qDataPages": areas.map { cube.page(top: $0.top, left: $0.left, width: $0.width, height: $0.height) }]
        default:
            throw RPCError.methodNotFound(method)
        }
    }
}
