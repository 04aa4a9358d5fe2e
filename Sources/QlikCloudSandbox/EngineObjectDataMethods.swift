import Foundation
import QVD

/// The GenericObject class's data and selection methods: pages of an object's hypercube or list object,
/// and selections made through them.
extension EngineSession {
    /// The methods answered here: an object's data must be built before them.
    static let objectDataMethods: Set<String> = [
        "GetHyperCubeData", "GetHyperCubeReducedData", "GetListObjectData", "SelectListObjectValues", "SelectListObjectPossible",
        "SelectListObjectExcluded", "SelectListObjectAll", "SelectListObjectAlternative", "SelectHyperCubeValues", "ClearSelections",
    ]

    /// Answers GenericObject's data methods; nil for any other method, so the object's dispatch goes on.
    mutating func genericObjectDataMethod(_ method: String, handle: Int, _ params: Params) async throws -> [String: Any]? {
        switch method {
        case "GetHyperCubeData", "GetHyperCubeReducedData":
            guard let cube = await currentCube(handle) else { throw Self.noDefinition("qHyperCubeDef") }
            let areas = try Self.pageAreas(params.array(1, "qPages") ?? [])
            // The sandbox's cubes are straight tables, which the engine does not reduce: the reduced data is the data.
            return ["qDataPages": areas.map { cube.page(top: $0.top, left: $0.left, width: $0.width, height: $0.height) }]
        case "GetListObjectData":
            let view = try await listObjectView(handle)
            let areas = try Self.pageAreas(params.array(1, "qPages") ?? [])
            return ["qDataPages": areas.map { area -> [String: Any] in
                guard area.left == 0, area.width > 0 else {
                    return ["qMatrix": [Any](), "qTails": [Any](), "qArea": ["qTop": 0, "qLeft": 0, "qWidth": 0, "qHeight": 0]]
                }
                return view.list.page(view.field, states: view.states, order: view.order, top: area.top, height: area.height)
            }]
        case "SelectListObjectValues":
            let view = try await listObjectView(handle)
            let elements = (params.array(1, "qValues") ?? []).compactMap { $0 as? Int }
            let toggle = params.value(2, "qToggleMode") as? Bool ?? false
            let softLock = params.value(3, "qSoftLock") as? Bool ?? false
            let values = elements.filter { view.field.values.indices.contains($0) }.map { view.field.values[$0] }
            return ["qSuccess": select(values, in: view.field.name, toggle: toggle, softLock: softLock)]
        case "SelectListObjectPossible", "SelectListObjectExcluded", "SelectListObjectAll", "SelectListObjectAlternative":
            let view = try await listObjectView(handle)
            let softLock = params.value(1, "qSoftLock") as? Bool ?? false
            let wanted = Self.fieldStatesChosen(by: method.replacingOccurrences(of: "ListObject", with: ""))
            let values = view.field.values.indices.filter { wanted.contains(view.states[$0]) }.map { view.field.values[$0] }
            return ["qSuccess": select(values, in: view.field.name, toggle: false, softLock: softLock)]
        case "SelectHyperCubeValues":
            guard let cube = objects[handle] else { throw Self.noDefinition("qHyperCubeDef") }
            let dimension = params.int(1, "qDimNo") ?? 0
            guard cube.fields.indices.contains(dimension) else {
                throw RPCError(code: -32602, parameter: "qDimNo", message: "qDimNo \(dimension) is no dimension of the cube: it has \(cube.fields.count)")
            }
            let elements = (params.array(2, "qValues") ?? []).compactMap { $0 as? Int }
            let toggle = params.value(3, "qToggleMode") as? Bool ?? false
            let inference = await inference()
            guard let source = Self.cubeSource(cube, inference: inference) else { return ["qSuccess": false] }
            // The cube numbers a dimension's values as its rows do; the selection needs the field's values.
            let (number, local) = source.dimensions[dimension]
            let values = elements.filter { local.indices.contains($0) }.map { inference.index.fields[number].values[Int(local[$0])] }
            return ["qSuccess": select(values, in: cube.fields[dimension], toggle: toggle, softLock: false)]
        case "ClearSelections":
            let columns = (params.array(1, "qColIndices") ?? []).compactMap { $0 as? Int }
            var fields: [String] = []
            if let list = listObjects[handle] { fields.append(list.field) }
            if let cube = objects[handle] {
                fields += cube.fields.enumerated().filter { columns.isEmpty || columns.contains($0.offset) }.map(\.element)
            }
            changeSelections { state in for field in fields where !state.locked.contains(field) { state.values[field] = nil } }
            return [:]
        case "BeginSelections":
            selections.beginModal()
            return [:]
        case "EndSelections":
            let accept = params.value(0, "qAccept") as? Bool ?? false
            if let before = selections.endModal(), !accept { changeSelections { $0 = before } }
            return [:]
        case "ResetMadeSelections":
            if let before = selections.modalStart { changeSelections { $0 = before } }
            return [:]
        default:
            return nil
        }
    }

    private static func noDefinition(_ key: String) -> RPCError {
        RPCError(code: -32602, parameter: "qPath", message: "The object has no \(key): its data is read with the method of its definition")
    }

    /// The pages a data call asks for, at most ``maximumCells`` cells in all, as the engine allows.
    static func pageAreas(_ pages: [Any]) throws -> [(top: Int, left: Int, width: Int, height: Int)] {
        let areas = pages.compactMap { $0 as? [String: Any] }.map {
            (top: $0["qTop"] as? Int ?? 0, left: $0["qLeft"] as? Int ?? 0, width: $0["qWidth"] as? Int ?? 0, height: $0["qHeight"] as? Int ?? 0)
        }
        let cells = areas.reduce(0) { $0 + max(0, $1.width) * max(0, $1.height) }
        guard cells <= maximumCells else {
            throw RPCError(code: 7009, parameter: "qPages", message: "Calculation pages too large: \(cells) cells requested, at most \(maximumCells)")
        }
        return areas
    }
}
