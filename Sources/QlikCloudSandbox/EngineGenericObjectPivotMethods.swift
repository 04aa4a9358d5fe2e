import Foundation
import QVD

/// The GenericObject class's pivot methods (a hypercube in qMode "P"): data pages, expanding and collapsing
/// nodes, and selections made through the pivot's cells.
extension EngineConversation {
    static let pivotMethods: Set<String> = ["GetHyperCubePivotData", "ExpandLeft", "ExpandTop", "CollapseLeft", "CollapseTop", "SelectPivotCells",
                                            "GetHyperCubeStackData"]

    /// A pivot table as the selections and this session's expansions leave it, and how to compute one of its data cells.
    struct PivotView {
        let table: PivotTable
        let measure: (_ left: [Int32], _ top: [Int32], _ index: Int) -> QlikValue
    }

    /// Answers the pivot methods (in the object's state, through ``genericObjectDataMethod``); nil for any other.
    mutating func genericObjectPivotMethod(_ method: String, handle: Int, _ params: Params) async throws -> [String: Any]? {
        switch method {
        case "GetHyperCubePivotData":
            let view = try await pivotView(handle)
            let areas = try Self.pageAreas(params.array(1, "qPages") ?? [])
            return ["qDataPages": areas.map { view.table.page(top: $0.top, left: $0.left, width: $0.width, height: $0.height, measure: view.measure) }]
        case "GetHyperCubeStackData":
            let view = try await pivotView(handle, mode: "K")
            let areas = try Self.pageAreas(params.array(1, "qPages") ?? [])
            let maximumCells = params.int(2, "qMaxNbrCells").flatMap { $0 > 0 ? $0 : nil } ?? 10_000
            return ["qDataPages": areas.map {
                view.table.stackPage(top: $0.top, left: $0.left, width: $0.width, height: $0.height, maximumCells: maximumCells, measure: view.measure)
            }]
        case "ExpandLeft", "ExpandTop", "CollapseLeft", "CollapseTop":
            let view = try await pivotView(handle)
            let row = params.int(1, "qRow") ?? 0, column = params.int(2, "qCol") ?? 0
            let all = params.value(3, "qAll") as? Bool ?? false
            let isLeft = method.hasSuffix("Left")
            var expansion = pivotExpansions[handle] ?? PivotExpansion()
            var paths = isLeft ? expansion.left : expansion.top
            if all {
                paths = method.hasPrefix("Expand") ? Set((isLeft ? view.table.left : view.table.top).innerPaths) : []
            } else {
                // Left: qRow is a data row, qCol the left dimension; top: qRow is the top dimension, qCol a data column.
                let level = isLeft ? column : row
                let leaf = isLeft ? view.table.leftLeaf(row) : view.table.topLeaf(column: column)
                guard let leaf,
                      leaf.count > level else {
                    throw RPCError(code: -32602, parameter: isLeft ? "qRow" : "qCol",
                                   message: "No node of \(isLeft ? "left" : "top") dimension \(level) at row \(row), column \(column) of the pivot: it has \(view.table.rowCount) rows and \(view.table.columnCount) columns")
                }
                let path = Array(leaf[0...level])
                if method.hasPrefix("Expand") { paths.insert(path) } else { paths = paths.filter { !$0.starts(with: path) } }
            }
            if isLeft { expansion.left = paths } else { expansion.top = paths }
            pivotExpansions[handle] = expansion
            changed.insert(handle)
            return [:]
        case "SelectPivotCells":
            let view = try await pivotView(handle)
            guard let cube = objects[handle] else { throw RPCError(code: -32602, parameter: "qPath", message: "The object has no qHyperCubeDef") }
            let softLock = params.value(2, "qSoftLock") as? Bool ?? false
            let inference = await inference()
            guard let source = Self.cubeSource(cube, inference: inference) else { return ["qSuccess": false] }
            // Each chosen cell names values: a left cell its dimension's value on that row, a top cell its value on
            // that column, a data cell every value of its row and column.
            var chosen: [Int: [Int32]] = [:]
            for selection in (params.array(1, "qSelections") ?? []).compactMap({ $0 as? [String: Any] }) {
                let row = selection["qRow"] as? Int ?? 0, column = selection["qCol"] as? Int ?? 0
                let type = selection["qType"] as? String ?? "D"
                var picked: [(dimension: Int, element: Int32)] = []
                switch type {
                case "L", "NX_CELL_LEFT":
                    if let left = view.table.leftLeaf(row), left.indices.contains(column) { picked = [(column, left[column])] }
                case "T", "NX_CELL_TOP":
                    if let top = view.table.topLeaf(column: column), top.indices.contains(row) { picked = [(view.table.leftCount + row, top[row])] }
                default:
                    if let cell = view.table.cell(row: row, column: column) {
                        picked = cell.left.enumerated().map { ($0.offset, $0.element) } + cell.top.enumerated().map { (view.table.leftCount + $0.offset, $0.element) }
                    }
                }
                guard !picked.isEmpty else {
                    throw RPCError(code: -32602, parameter: "qSelections",
                                   message: "No \(type) cell at row \(row), column \(column) of the pivot: it has \(view.table.rowCount) rows and \(view.table.columnCount) columns")
                }
                for (dimension, element) in picked where element >= 0 && !(chosen[dimension] ?? []).contains(element) { chosen[dimension, default: []].append(element) }
            }
            var success = true
            for (dimension, elements) in chosen.sorted(by: { $0.key < $1.key }) {
                let (number, local) = source.dimensions[dimension]
                let values = elements.map { inference.index.fields[number].values[Int(local[Int($0)])] }
                success = select(values, in: cube.fields[dimension], toggle: false, softLock: softLock) && success
            }
            return ["qSuccess": success]
        default:
            return nil
        }
    }

    /// The pivot of a handle's cube. A data cell is its measure over what the selections leave possible with its
    /// row's and column's values selected as well, as the engine scopes a pivot cell.
    /// `mode` "K" reads the cube as a stack: every dimension down the left, always fully expanded.
    mutating func pivotView(_ handle: Int, mode: String = "P") async throws -> PivotView {
        guard let cube = await currentCube(handle) else {
            throw RPCError(code: -32602, parameter: "qPath", message: "The object has no qHyperCubeDef: its data is read with the method of its definition")
        }
        guard cube.mode == mode else {
            throw RPCError(code: -32602, parameter: "qMode", message: mode == "P"
                ? "The hypercube's qMode is '\(cube.mode)': pivot data and expansions need qMode 'P'"
                : "The hypercube's qMode is '\(cube.mode)': stacked data needs qMode 'K'")
        }
        let inference = await inference()
        let index = inference.index
        guard let source = Self.cubeSource(cube, inference: inference) else {
            throw RPCError(code: 1001, parameter: cube.fields.joined(separator: ","), message: "The cube's fields are no longer in the app's data model")
        }
        let dimensions = source.dimensions
        let table = PivotTable(rows: (0..<cube.rowCount).map(cube.dimensionElements), dimensionCount: cube.fields.count,
                               leftCount: mode == "K" ? -1 : cube.leftDimensionCount, measureLabels: cube.measures.map(\.label),
                               alwaysFullyExpanded: mode == "K" || cube.alwaysFullyExpanded, expansion: pivotExpansions[handle] ?? PivotExpansion()) { dimension, element in
            element < 0 ? .null : index.fields[dimensions[dimension].field].values[Int(dimensions[dimension].localToField[Int(element)])]
        }
        let selected = selections.selectedElements(index)
        let measures = cube.measures, leftCount = table.leftCount
        return PivotView(table: table) { left, top, measure in
            var narrowed = selected
            let path = left.enumerated().map { ($0.offset, $0.element) } + top.enumerated().map { (leftCount + $0.offset, $0.element) }
            for (dimension, element) in path where element >= 0 {
                let field = dimensions[dimension].field
                var only = [Bool](repeating: false, count: index.fields[field].cardinal)
                only[Int(dimensions[dimension].localToField[Int(element)])] = true
                narrowed[field] = only
            }
            let possible = AssociativeInference(index: index, selected: narrowed).possibleRows
            do {
                return try ChartEvaluator(index: index, possibleRows: possible).evaluate(measures[measure].expression)
            } catch {
                // The measure's error shows in its qMeasureInfo (the cube's straight computation); its cells are empty.
                return .null
            }
        }
    }
}
