import Foundation

/// The data part of generic objects: the hypercube a definition asks for, computed over the app's data model.
extension EngineSession {
    /// The data keys of an object's layout (`qHyperCube`) for its properties; builds the object's cube on first use
    /// and keeps it by handle, so data pages are copies of prepared cells.
    mutating func dataLayout(for properties: [String: Any], id: String, type: String, handle: Int) async throws -> [String: Any] {
        guard properties["qHyperCubeDef"] != nil else { return [:] }
        if let cube = objects[handle] { return cube.layout }
        var definition = properties
        definition["qInfo"] = ["qId": id, "qType": type]
        let cube: HyperCube
        if openDoc?.isSessionApp == true {
            cube = try HyperCube(definition: definition, model: sessionModel)
        } else {
            let plan = try HyperCube.Plan(definition: definition, model: await model())
            var indexes: [ColumnIndex] = []
            for field in plan.fields { indexes.append(await tenant.columnIndex(appID: appID, table: plan.table.name, field: field)) }
            cube = HyperCube(plan: plan, indexes: indexes)
        }
        objects[handle] = cube
        return cube.layout
    }
}
