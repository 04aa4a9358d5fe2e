import Foundation

/// The GenericObject class: sheets, charts and session objects, their properties, layouts and data pages.
extension EngineSession {
    mutating func genericObjectMethod(_ method: String, handle: Int, _ params: Params) async throws -> [String: Any] {
        guard objects[handle] != nil || listObjects[handle] != nil else { throw RPCError.invalidHandle }
        switch method {
        case "GetLayout":
            var layout: [String: Any] = [:]
            if listObjects[handle] != nil { layout = try await listObjectView(handle).layout }
            if let cube = await currentCube(handle) { layout.merge(cube.layout) { _, new in new } }
            return ["qLayout": layout]
        default:
            if let answer = try await genericObjectDataMethod(method, handle: handle, params) { return answer }
            throw RPCError.methodNotFound(method)
        }
    }
}
