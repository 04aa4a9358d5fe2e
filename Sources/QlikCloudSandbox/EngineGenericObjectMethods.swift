import Foundation

/// The GenericObject class: sheets, charts and session objects, their properties, layouts and data pages.
extension EngineConversation {
    mutating func genericObjectMethod(_ method: String, handle: Int, _ params: Params) async throws -> [String: Any] {
        // A drill-down cube whose level the selections moved is built anew.
        if objects[handle]?.isDrillDown == true { try await dropStaleDrillDown(handle) }
        // A data call may come before the object's first layout: its data is built from its properties first.
        if objects[handle] == nil, listObjects[handle] == nil, Self.objectDataMethods.contains(method) { _ = try await hyperCube(handle) }
        if let answer = try await genericObjectDataMethod(method, handle: handle, params) { return answer }
        return try await genericObjectPropertyMethod(method, handle: handle, params)
    }
}
