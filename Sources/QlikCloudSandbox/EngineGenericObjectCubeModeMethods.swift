import Foundation
import QVD

/// The GenericObject class's methods for the other ways a hypercube is read: drill-down groups (DrillUp), tree
/// mode (qMode "T": GetHyperCubeTreeData, MultiRangeSelectTreeDataValues), continuous axes and binned points.
extension EngineConversation {
    static let cubeModeMethods: Set<String> = ["DrillUp", "GetHyperCubeTreeData", "MultiRangeSelectTreeDataValues", "GetHyperCubeContinuousData",
                                                "GetHyperCubeBinnedData"]

    /// A tree-mode cube as the selections leave it, and how to compute what one of its nodes shows.
    struct TreeView {
        let tree: HyperCubeTree
        let measureCount: Int
        let content: (_ path: [Int32]) -> HyperCubeTree.NodeContent
        /// Per tree level, the cube dimension's field number and the field element of each of the cube's element numbers.
        let dimensions: [(field: Int, localToField: [Int32])]
    }

    /// Answers the methods of ``cubeModeMethods`` (in the object's state, through ``genericObjectDataMethod``); nil for any other.
    mutating func genericObjectCubeModeMethod(_ method: String, handle: Int, _ params: Params) async throws -> [String: Any]? {
        switch method {
        case "DrillUp":
            guard let cube = objects[handle] else {
                throw RPCError(code: -32602, parameter: "qPath", message: "The object has no qHyperCubeDef: DrillUp moves a hypercube's drill-down dimension")
            }
            let dimension = params.int(1, "qDimNo") ?? 0, steps = params.int(2, "qNbrSteps") ?? 0
            guard cube.fields.indices.contains(dimension) else {
                throw RPCError(code: -32602, parameter: "qDimNo", message: "qDimNo \(dimension) is no dimension of the cube: it has \(cube.fields.count)")
            }
            let group = cube.drillGroups[dimension]
            guard !group.isEmpty else {
                throw RPCError(code: -32602, parameter: "qDimNo",
                               message: "Dimension \(dimension) ('\(cube.fields[dimension])') is no drill-down group: DrillUp needs a dimension whose qGrouping is 'H' with several qFieldDefs")
            }
            let level = cube.drillLevels[dimension]
            guard steps > 0, level > 0 else { return [:] }
            // Clearing the fields from the target level down opens that level again (more steps than levels: the first).
            let cleared = Array(group[max(0, level - steps)...])
            changeSelections { state in for field in cleared where !state.locked.contains(field) { state.values[field] = nil } }
            return [:]
        case "GetHyperCubeTreeData":
            let options = params.object(1, "qNodeOptions") ?? [:]
            let levels = options["qTreeLevels"] as? [String: Any]
            let view = try await treeView(handle, first: levels?["qLeft"] as? Int ?? 0, depth: levels?["qDepth"] as? Int ?? 0)
            let pages = ((options["qTreeNodes"] as? [Any]) ?? []).map { page -> (rows: Range<Int>, measures: Range<Int>)? in
                let area = (page as? [String: Any])?["qArea"] as? [String: Any] ?? [:]
                let top = max(0, area["qTop"] as? Int ?? 0), left = max(0, area["qLeft"] as? Int ?? 0)
                let height = max(0, area["qHeight"] as? Int ?? 0), width = max(0, area["qWidth"] as? Int ?? 0)
                // A level without an area (all zero) shows all its nodes; sides clamped before adding (a client's Int.max).
                guard height > 0 || width > 0 else { return nil }
                return (top..<(top + min(height, Int.max - top)), left..<(left + min(width, Int.max - left)))
            }
            let maximum = options["qMaxNbrOfNodes"] as? Int ?? 0
            // Over the limit the engine answers no nodes at all.
            if maximum > 0, view.tree.nodeCount(pages: pages) > maximum { return ["qNodes": [Any]()] }
            return ["qNodes": view.tree.nodes(pages: pages, measureCount: view.measureCount, content: view.content)]
        case "MultiRangeSelectTreeDataValues":
            let view = try await treeView(handle)
            let orMode = params.value(2, "qOrMode") as? Bool ?? false
            let deselectOnlyOne = params.value(3, "qDeselectOnlyOneSelected") as? Bool ?? false
            let index = await associativeIndex()
            var success = true
            for info in (params.array(1, "qRanges") ?? []).compactMap({ $0 as? [String: Any] }) {
                let ranges = ((info["qRanges"] as? [Any]) ?? []).compactMap { $0 as? [String: Any] }
                // Each dimension named selects its nodes whose measure values lie in the ranges named for it.
                for (dimension, ranges) in Dictionary(grouping: ranges, by: { $0["qDimensionIx"] as? Int ?? 0 }).sorted(by: { $0.key < $1.key }) {
                    guard view.tree.dimensions.contains(dimension) else {
                        throw RPCError(code: -32602, parameter: "qDimensionIx", message: "qDimensionIx \(dimension) is no dimension of the tree: it has \(view.tree.dimensions.count)")
                    }
                    for range in ranges {
                        let measure = range["qMeasureIx"] as? Int ?? 0
                        guard (0..<view.measureCount).contains(measure) else {
                            throw RPCError(code: -32602, parameter: "qMeasureIx", message: "qMeasureIx \(measure) is no measure of the cube: it has \(view.measureCount)")
                        }
                    }
                    let level = dimension - view.tree.dimensions.lowerBound
                    var seen = Set<Int32>()
                    let elements = view.tree.levels[level].filter { path in
                        let values = view.content(path).measures
                        let inRange = ranges.map { Self.range($0["qRange"] as? [String: Any] ?? [:], contains: values[$0["qMeasureIx"] as? Int ?? 0].number) }
                        return orMode ? inRange.contains(true) : !inRange.contains(false)
                    }.compactMap(\.last).filter { $0 >= 0 && seen.insert($0).inserted }
                    guard !elements.isEmpty else { success = false; continue }
                    let (number, local) = view.dimensions[level]
                    let field = index.fields[number]
                    let values = elements.map { field.values[Int(local[Int($0)])] }
                    // Selecting again the one value already selected clears it, when the client asks for that.
                    if deselectOnlyOne, values.count == 1, selections.current.values[field.name] == values {
                        success = select([], in: field.name, toggle: false, softLock: false) && success
                    } else {
                        success = select(values, in: field.name, toggle: false, softLock: false) && success
                    }
                }
            }
            return ["qSuccess": success]
        case "GetHyperCubeContinuousData":
            return try await continuousData(handle, options: params.object(1, "qOptions") ?? [:], reverse: params.value(2, "qReverseSort") as? Bool ?? false)
        case "GetHyperCubeBinnedData":
            return try await binnedData(handle, params)
        default:
            return nil
        }
    }

    /// Per dimension, the level of its drill-down group (`groups`, empty for a plain dimension) the selections
    /// leave open: the first field that has not exactly one possible value, or the last.
    mutating func drillLevels(_ groups: [[String]]) async -> [Int] {
        guard groups.contains(where: { !$0.isEmpty }) else { return groups.map { _ in 0 } }
        let index = await associativeIndex()
        var levels: [Int] = []
        for group in groups {
            var open = max(0, group.count - 1)
            for (level, field) in group.enumerated() {
                guard let number = index.fieldNumber[field] else { open = level; break }
                let possible = selections.states(of: number, in: index).count { [.selected, .optional, .locked].contains($0) }
                if possible != 1 { open = level; break }
            }
            levels.append(group.isEmpty ? 0 : open)
        }
        return levels
    }

    /// Forgets a drill-down cube built for a level the selections have since moved away from, so it is built anew.
    mutating func dropStaleDrillDown(_ handle: Int) async throws {
        guard let cube = objects[handle], cube.isDrillDown else { return }
        let levels = try await inSelectionState(selections.handleStates[handle]) { await $0.drillLevels(cube.drillGroups) }
        if levels != cube.drillLevels {
            objects[handle] = nil
            selections.forgetCubeView(handle)
        }
    }

    /// The tree of a handle's cube (qMode "T") over the dimensions `first..<first+depth` (depth 0: to the last).
    /// A node's measures are computed over what the selections leave possible with its path's values selected as well.
    mutating func treeView(_ handle: Int, first: Int = 0, depth: Int = 0) async throws -> TreeView {
        guard let cube = await currentCube(handle) else {
            throw RPCError(code: -32602, parameter: "qPath", message: "The object has no qHyperCubeDef: its data is read with the method of its definition")
        }
        guard cube.mode == "T" else {
            throw RPCError(code: -32602, parameter: "qMode", message: "The hypercube's qMode is '\(cube.mode)': tree data needs qMode 'T'")
        }
        let count = cube.fields.count
        guard (0...count).contains(first) else {
            throw RPCError(code: -32602, parameter: "qTreeLevels", message: "qTreeLevels.qLeft \(first) is outside the cube's \(count) dimensions")
        }
        let last = depth > 0 ? min(count, first + min(depth, count)) : count
        let inference = await inference()
        let index = inference.index
        guard let source = Self.cubeSource(cube, inference: inference) else {
            throw RPCError(code: 1001, parameter: cube.fields.joined(separator: ","), message: "The cube's fields are no longer in the app's data model")
        }
        let dimensions = Array(source.dimensions[first..<last])
        var states: [[AssociativeInference.State]] = []
        for dimension in dimensions { states.append(selections.states(of: dimension.field, in: index)) }
        let tree = HyperCubeTree(rows: (0..<cube.rowCount).map(cube.dimensionElements), dimensions: first..<last)
        let selected = selections.selectedElements(index)
        let measures = cube.measures
        return TreeView(tree: tree, measureCount: measures.count, content: { path in
            var narrowed = selected
            for (level, element) in path.enumerated() where element >= 0 {
                var only = [Bool](repeating: false, count: index.fields[dimensions[level].field].cardinal)
                only[Int(dimensions[level].localToField[Int(element)])] = true
                narrowed[dimensions[level].field] = only
            }
            let possible = AssociativeInference(index: index, selected: narrowed).possibleRows
            let values = measures.map { measure in
                // A measure that fails shows as an empty value; its error is in the cube's qMeasureInfo.
                (try? ChartEvaluator(index: index, possibleRows: possible).evaluate(measure.expression)) ?? .null
            }
            guard let element = path.last else { return .init(value: nil, measures: values, state: "L") }
            let level = path.count - 1
            guard element >= 0 else { return .init(value: .null, measures: values, state: "O") }
            let fieldElement = Int(dimensions[level].localToField[Int(element)])
            let state = states[level][fieldElement]
            return .init(value: index.fields[dimensions[level].field].values[fieldElement], measures: values,
                         state: state == .selected || state == .locked ? state.rawValue : "O")
        }, dimensions: dimensions)
    }
}
