import Foundation
import QVD

/// The GenericObject class's data and selection methods: pages of an object's hypercube or list object,
/// and selections made through them.
extension EngineConversation {
    /// The methods answered here: an object's data must be built before them.
    static let objectDataMethods: Set<String> = Set([
        "GetHyperCubeData", "GetHyperCubeReducedData", "GetListObjectData", "SelectListObjectValues", "SelectListObjectPossible",
        "SelectListObjectExcluded", "SelectListObjectAll", "SelectListObjectAlternative", "SelectHyperCubeValues", "ClearSelections",
        "SearchListObjectFor", "AcceptListObjectSearch", "AbortListObjectSearch", "SelectListObjectContinuousRange", "SelectHyperCubeCells",
        "RangeSelectHyperCubeValues", "MultiRangeSelectHyperCubeValues", "SelectHyperCubeContinuousRange",
    ]).union(pivotMethods).union(cubeModeMethods)

    /// Answers GenericObject's data methods, in the state the object's definition names (qStateName); nil for any
    /// other method, so the object's dispatch goes on.
    mutating func genericObjectDataMethod(_ method: String, handle: Int, _ params: Params) async throws -> [String: Any]? {
        guard Self.objectDataMethods.contains(method) || ["BeginSelections", "EndSelections", "ResetMadeSelections"].contains(method) else { return nil }
        return try await inSelectionState(selections.handleStates[handle]) { try await $0.genericObjectStateMethod(method, handle: handle, params) }
    }

    private mutating func genericObjectStateMethod(_ method: String, handle: Int, _ params: Params) async throws -> [String: Any]? {
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
        case "SearchListObjectFor":
            let view = try await listObjectView(handle)
            let match = params.string(1, "qMatch") ?? ""
            selections.listSearches[handle] = match
            markAllObjectsChanged()
            let matcher = FieldSearch(match)
            return ["qSuccess": view.field.values.contains(where: matcher.matches)]
        case "AcceptListObjectSearch":
            let view = try await listObjectView(handle)
            let toggle = params.value(1, "qToggleMode") as? Bool ?? false
            let softLock = params.value(2, "qSoftLock") as? Bool ?? false
            selections.listSearches[handle] = nil
            markAllObjectsChanged()
            _ = select(view.order.map { view.field.values[$0] }, in: view.field.name, toggle: toggle, softLock: softLock)
            return [:]
        case "AbortListObjectSearch":
            _ = try await listObjectView(handle)
            if selections.listSearches.removeValue(forKey: handle) != nil { markAllObjectsChanged() }
            return [:]
        case "SelectListObjectContinuousRange":
            let view = try await listObjectView(handle)
            let ranges = (params.array(1, "qRanges") ?? []).compactMap { $0 as? [String: Any] }
            let softLock = params.value(2, "qSoftLock") as? Bool ?? false
            let values = view.field.values.filter { value in ranges.contains { Self.range($0, contains: value.number) } }
            return ["qSuccess": select(values, in: view.field.name, toggle: false, softLock: softLock)]
        case "SelectHyperCubeCells":
            guard let cube = await currentCube(handle) else { throw Self.noDefinition("qHyperCubeDef") }
            let rows = (params.array(1, "qRowIndices") ?? []).compactMap { $0 as? Int }.filter { (0..<cube.rowCount).contains($0) }
            let columns = (params.array(2, "qColIndices") ?? []).compactMap { $0 as? Int }.filter { cube.fields.indices.contains($0) }
            let softLock = params.value(3, "qSoftLock") as? Bool ?? false
            return ["qSuccess": try await selectCubeRows(cube, rows: rows, columns: columns, softLock: softLock)]
        case "RangeSelectHyperCubeValues", "MultiRangeSelectHyperCubeValues":
            guard let cube = await currentCube(handle) else { throw Self.noDefinition("qHyperCubeDef") }
            let orMode = params.value(method == "RangeSelectHyperCubeValues" ? 3 : 2, "qOrMode") as? Bool ?? false
            // One request of ranges and columns, or several (MultiRange), each applied in turn.
            let requests: [(ranges: [[String: Any]], columns: [Int])] = method == "RangeSelectHyperCubeValues"
                ? [((params.array(1, "qRanges") ?? []).compactMap { $0 as? [String: Any] }, (params.array(2, "qColumnsToSelect") ?? []).compactMap { $0 as? Int })]
                : (params.array(1, "qRanges") ?? []).compactMap { $0 as? [String: Any] }.map {
                    (($0["qRanges"] as? [[String: Any]]) ?? [], ($0["qColumnsToSelect"] as? [Int]) ?? [])
                }
            var success = true
            for request in requests {
                let rows = (0..<cube.rowCount).filter { row in
                    let inRange = request.ranges.map { range -> Bool in
                        let measure = range["qMeasureIx"] as? Int ?? 0
                        guard cube.measureValues.indices.contains(measure) else { return false }
                        return Self.range(range["qRange"] as? [String: Any] ?? [:], contains: cube.measureValues[measure][row].number)
                    }
                    return orMode ? inRange.contains(true) : !inRange.contains(false)
                }
                let columns = request.columns.isEmpty ? Array(cube.fields.indices) : request.columns.filter { cube.fields.indices.contains($0) }
                success = try await selectCubeRows(cube, rows: rows, columns: columns, softLock: false) && success
            }
            return ["qSuccess": success]
        case "SelectHyperCubeContinuousRange":
            guard let cube = await currentCube(handle) else { throw Self.noDefinition("qHyperCubeDef") }
            let softLock = params.value(2, "qSoftLock") as? Bool ?? false
            var success = true
            for range in (params.array(1, "qRanges") ?? []).compactMap({ $0 as? [String: Any] }) {
                let dimension = range["qDimIx"] as? Int ?? 0
                guard cube.fields.indices.contains(dimension) else {
                    throw RPCError(code: -32602, parameter: "qDimIx", message: "qDimIx \(dimension) is no dimension of the cube: it has \(cube.fields.count)")
                }
                let (_, number) = try await field(named: cube.fields[dimension])
                let field = await associativeIndex().fields[number]
                let values = field.values.filter { Self.range(range["qRange"] as? [String: Any] ?? [:], contains: $0.number) }
                success = select(values, in: field.name, toggle: false, softLock: softLock) && success
            }
            return ["qSuccess": success]
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
            if let answer = try await genericObjectPivotMethod(method, handle: handle, params) { return answer }
            return try await genericObjectCubeModeMethod(method, handle: handle, params)
        }
    }

    /// Selects, in each of `columns` (dimensions), the values the cube shows on `rows`.
    private mutating func selectCubeRows(_ cube: HyperCube, rows: [Int], columns: [Int], softLock: Bool) async throws -> Bool {
        let inference = await inference()
        guard let source = Self.cubeSource(cube, inference: inference) else { return false }
        var success = true
        for column in columns {
            let (number, local) = source.dimensions[column]
            var seen = Set<Int32>()
            let elements = rows.map { cube.dimensionElements($0)[column] }.filter { $0 >= 0 && seen.insert($0).inserted }
            let values = elements.map { inference.index.fields[number].values[Int(local[Int($0)])] }
            success = select(values, in: cube.fields[column], toggle: false, softLock: softLock) && success
        }
        return success
    }

    /// Whether a number lies in a QRange (qMin/qMax, each bound inclusive when its InclEq says so).
    static func range(_ range: [String: Any], contains number: Double?) -> Bool {
        guard let number else { return false }
        let minimum = (range["qMin"] as? NSNumber)?.doubleValue ?? -Double.infinity
        let maximum = (range["qMax"] as? NSNumber)?.doubleValue ?? Double.infinity
        let aboveMinimum = range["qMinInclEq"] as? Bool == true ? number >= minimum : number > minimum
        let belowMaximum = range["qMaxInclEq"] as? Bool == true ? number <= maximum : number < maximum
        return aboveMinimum && belowMaximum
    }

    private static func noDefinition(_ key: String) -> RPCError {
        RPCError(code: -32602, parameter: "qPath", message: "The object has no \(key): its data is read with the method of its definition")
    }

    /// The pages a data call asks for, at most ``maximumCells`` cells in all, as the engine allows.
    static func pageAreas(_ pages: [Any]) throws -> [(top: Int, left: Int, width: Int, height: Int)] {
        let areas = pages.compactMap { $0 as? [String: Any] }.map {
            (top: $0["qTop"] as? Int ?? 0, left: $0["qLeft"] as? Int ?? 0, width: $0["qWidth"] as? Int ?? 0, height: $0["qHeight"] as? Int ?? 0)
        }
        // Each side clamped first, so a client's Int.max cannot overflow the product or the sum.
        let cells = areas.reduce(0) { $0 + min(max(0, $1.width), maximumCells + 1) * min(max(0, $1.height), maximumCells + 1) }
        guard cells <= maximumCells else {
            throw RPCError(code: 7009, parameter: "qPages", message: "Calculation pages too large: \(cells) cells requested, at most \(maximumCells)")
        }
        return areas
    }
}
