import Foundation
import QVD

/// The data part of generic objects: the hypercube a definition asks for, computed over the app's data model
/// and restricted by the session's selections.
extension EngineConversation {
    /// The data keys of an object's layout (`qHyperCube`) for its properties; builds the object's cube on first use
    /// and keeps it by handle, so data pages are copies of prepared cells. The answer reflects the current selections.
    /// H1's GetLayout calls it with plain definitions (master item references already resolved).
    mutating func dataLayout(for properties: [String: Any], id: String, type: String, handle: Int) async throws -> [String: Any] {
        var layout: [String: Any] = [:]
        if let definition = properties["qListObjectDef"] as? [String: Any] {
            // Parsed anew on every layout: the object's properties may have changed since (SetProperties, patches).
            let list = try ListObject(definition: definition)
            _ = try await field(named: list.field)
            listObjects[handle] = list
            selections.handleStates[handle] = try stateName(definition)
            let view = try await inSelectionState(selections.handleStates[handle]) { try await $0.listObjectView(handle) }
            layout.merge(view.layout) { _, new in new }
        }
        guard let cubeDefinition = properties["qHyperCubeDef"] as? [String: Any] else { return layout }
        selections.handleStates[handle] = try stateName(cubeDefinition)
        try await dropStaleDrillDown(handle)
        if objects[handle] == nil {
            var definition = properties
            definition["qInfo"] = ["qId": id, "qType": type]
            let model = await model()
            // Drill-down groups show the level the selections leave open.
            let groups = ((cubeDefinition["qDimensions"] as? [[String: Any]]) ?? []).map(HyperCube.Plan.drillGroup)
            let levels = try await inSelectionState(selections.handleStates[handle]) { await $0.drillLevels(groups) }
            var cube: HyperCube
            do {
                if openDoc?.isSessionApp == true {
                    cube = try HyperCube(definition: definition, model: model, drillLevels: levels)
                } else {
                    let plan = try HyperCube.Plan(definition: definition, model: model, drillLevels: levels)
                    var indexes: [ColumnIndex] = []
                    for field in plan.fields { indexes.append(await tenant.columnIndex(appID: appID, table: plan.table.name, field: field)) }
                    cube = HyperCube(plan: plan, indexes: indexes)
                }
            } catch let error as RPCError where error.code == 1001 {
                // Dimensions from several tables: the cube reads their rows joined over the keys.
                let fields = error.parameter.split(separator: ",").map(String.init)
                guard let join = JoinedRows(fields: fields, index: selections.index(of: model)) else { throw error }
                let plan = try HyperCube.Plan(definition: definition, model: model, joined: join.table, drillLevels: levels)
                cube = HyperCube(plan: plan, indexes: plan.fields.map { ColumnIndex(plan.column($0)) })
                cube.join = join
            }
            objects[handle] = cube
            selections.forgetCubeView(handle)
        }
        let cube = try await inSelectionState(selections.handleStates[handle]) { await $0.currentCube(handle) }
        layout.merge(cube?.layout ?? [:]) { _, new in new }
        // A pivot (qMode "P") shows its data area and initial pages as the pivot's, not the straight rows'.
        if let cube, cube.mode == "P", var hyperCube = layout["qHyperCube"] as? [String: Any] {
            let view = try await inSelectionState(selections.handleStates[handle]) { try await $0.pivotView(handle) }
            hyperCube["qPivotDataPages"] = cube.initialPages.map {
                view.table.page(top: $0["qTop"] as? Int ?? 0, left: $0["qLeft"] as? Int ?? 0, width: $0["qWidth"] as? Int ?? 0,
                                height: $0["qHeight"] as? Int ?? 0, measure: view.measure)
            }
            hyperCube["qDataPages"] = [Any]()
            hyperCube["qSize"] = ["qcx": view.table.columnCount, "qcy": view.table.rowCount]
            hyperCube["qNoOfLeftDims"] = view.table.leftCount
            layout["qHyperCube"] = hyperCube
        }
        // A stack (qMode "K") shows its initial pages as stacks.
        if let cube, cube.mode == "K", var hyperCube = layout["qHyperCube"] as? [String: Any] {
            let view = try await inSelectionState(selections.handleStates[handle]) { try await $0.pivotView(handle, mode: "K") }
            hyperCube["qStackedDataPages"] = cube.initialPages.map {
                view.table.stackPage(top: $0["qTop"] as? Int ?? 0, left: $0["qLeft"] as? Int ?? 0, width: $0["qWidth"] as? Int ?? 0,
                                     height: $0["qHeight"] as? Int ?? 0, maximumCells: 10_000, measure: view.measure)
            }
            hyperCube["qDataPages"] = [Any]()
            layout["qHyperCube"] = hyperCube
        }
        // A tree (qMode "T") shows how many nodes each dimension has; its nodes come with GetHyperCubeTreeData.
        if let cube, cube.mode == "T", var hyperCube = layout["qHyperCube"] as? [String: Any] {
            let view = try await inSelectionState(selections.handleStates[handle]) { try await $0.treeView(handle) }
            hyperCube["qTreeNodesOnDim"] = view.tree.nodesOnDimension
            hyperCube["qDataPages"] = [Any]()
            layout["qHyperCube"] = hyperCube
        }
        return layout
    }

    /// The alternate state a definition names (qStateName); nil for the default state. A state not added is an error.
    private func stateName(_ definition: [String: Any]) throws -> String? {
        guard let name = definition["qStateName"] as? String, !name.isEmpty, name != "$" else { return nil }
        guard selections.alternates[name] != nil else {
            throw RPCError(code: -32602, parameter: "qStateName", message: "No alternate state '\(name)': add it with AddSessionAlternateState first")
        }
        return name
    }

    /// The list object of a handle as the current selections leave it: its field, each value's state and the display order.
    mutating func listObjectView(_ handle: Int) async throws -> (list: ListObject, field: AssociativeIndex.Field, states: [AssociativeInference.State], order: [Int], layout: [String: Any]) {
        guard let list = listObjects[handle] else {
            throw RPCError(code: -32602, parameter: "qPath", message: "The object has no qListObjectDef: its data is read with the method of its definition")
        }
        let (index, number) = try await field(named: list.field)
        let states = selections.states(of: number, in: index)
        var order = list.order(index.fields[number], states: states)
        // While a search is open (SearchListObjectFor) the list shows the values it matches.
        if let search = selections.listSearches[handle] {
            let matcher = FieldSearch(search)
            order = order.filter { matcher.matches(index.fields[number].values[$0]) }
        }
        return (list, index.fields[number], states, order, list.layout(index.fields[number], states: states, order: order))
    }

    /// The object's cube as the current selections leave it, with its measures' values; a cube without selections
    /// or measures is the cube as built (the fast path).
    mutating func currentCube(_ handle: Int) async -> HyperCube? {
        guard let cube = objects[handle] else { return nil }
        let hasSelections = !selections.current.values.isEmpty
        guard hasSelections || !cube.measures.isEmpty else { return cube }
        let index = await associativeIndex()
        if let view = selections.cubeView(handle, index: index, of: cube) { return view }
        let inference = selections.inference(index)
        let totals = cube.measures.map { measure in
            (try? ChartEvaluator(index: index, possibleRows: inference.possibleRows).evaluate(measure.expression)) ?? .null
        }
        // Measures without dimensions (a KPI): the one row is the totals, evaluated over what the selections leave possible.
        if cube.fields.isEmpty {
            let view = cube.withMeasures(cube.measures.map { measure in
                [Result { () throws(ChartEvaluator.EvaluationError) -> QlikValue in
                    try ChartEvaluator(index: index, possibleRows: inference.possibleRows).evaluate(measure.expression)
                }]
            }, totals: totals)
            selections.keep(cubeView: view, for: handle, index: index)
            return view
        }
        guard let source = Self.cubeSource(cube, inference: inference) else { return cube }
        var view = cube
        if hasSelections {
            var states: [[UInt8]?] = []
            var counts: [[String: Int]] = []
            for dimension in source.dimensions {
                let fieldStates = selections.states(of: dimension.field, in: index)
                counts.append(Self.stateCounts(fieldStates))
                let letters = dimension.localToField.map { element -> UInt8 in
                    switch fieldStates[Int(element)] {
                    case .selected: UInt8(ascii: "S")
                    case .locked: UInt8(ascii: "L")
                    default: 0
                    }
                }
                states.append(letters.contains { $0 != 0 } ? letters : nil)
            }
            view = cube.restricted(toRows: source.possible, states: states, stateCounts: counts)
        }
        if !cube.measures.isEmpty {
            view = view.withMeasures(measureValues(view, source: source, inference: inference), totals: totals)
        }
        selections.keep(cubeView: view, for: handle, index: index)
        return view
    }

    /// Where a cube's rows come from in the associative index: which of them the inference leaves possible, and per
    /// dimension its field and the field element of each of the cube's element numbers. `table` is the one table
    /// the cube reads, nil for joined rows.
    static func cubeSource(_ cube: HyperCube, inference: AssociativeInference)
        -> (possible: [Bool]?, table: Int?, dimensions: [(field: Int, localToField: [Int32])])? {
        let index = inference.index
        let fields = cube.fields.compactMap { index.fieldNumber[$0] }
        guard fields.count == cube.fields.count else { return nil }
        if let join = cube.join {
            return (join.possibleRows(inference.possibleRows), nil, Array(zip(fields, join.localToField)))
        }
        guard let table = index.table(cube.tableName) else { return nil }
        let columns = fields.compactMap { index.tables[table].fields.firstIndex(of: $0) }
        guard columns.count == fields.count else { return nil }
        return (inference.possibleRows[table], table, columns.map { (index.tables[table].fields[$0], index.tables[table].localToField[$0]) })
    }

    /// Each measure on each cube row. A measure over the cube's own table (or one of its joined tables) aggregates
    /// the rows behind the row's group; any other, the rows associated with the row's dimension values (as if selected).
    private func measureValues(_ cube: HyperCube, source: (possible: [Bool]?, table: Int?, dimensions: [(field: Int, localToField: [Int32])]),
                               inference: AssociativeInference) -> [[Result<QlikValue, ChartEvaluator.EvaluationError>]] {
        let index = inference.index
        var groups: [[Int]]?
        var associated: [[[Bool]?]]?
        return cube.measures.map { measure in
            if let table = source.table,
               measure.expression.fields.allSatisfy({ index.fieldNumber[$0].map(index.tables[table].fields.contains) ?? true }) {
                if groups == nil { groups = cube.groups(possible: source.possible) }
                return (groups ?? []).map { rows in
                    Result { () throws(ChartEvaluator.EvaluationError) -> QlikValue in
                        try ChartEvaluator(index: index, possibleRows: inference.possibleRows, group: (table, rows)).evaluate(measure.expression)
                    }
                }
            }
            // Joined rows: a measure over one of the joined tables aggregates that table's rows behind the row's group.
            if source.table == nil, let join = cube.join, let joined = join.sources.first(where: { joined in
                measure.expression.fields.allSatisfy { index.fieldNumber[$0].map(index.tables[joined.table].fields.contains) ?? true }
            }) {
                if groups == nil { groups = cube.groups(possible: source.possible) }
                return (groups ?? []).map { rows in
                    let tableRows = Array(Set(rows.map { Int(joined.rows[$0]) }.filter { $0 >= 0 })).sorted()
                    return Result { () throws(ChartEvaluator.EvaluationError) -> QlikValue in
                        try ChartEvaluator(index: index, possibleRows: inference.possibleRows, group: (joined.table, tableRows)).evaluate(measure.expression)
                    }
                }
            }
            if associated == nil {
                let selected = selections.selectedElements(index)
                associated = (0..<cube.rowCount).map { cubeRow in
                    var narrowed = selected
                    for (dimension, element) in cube.dimensionElements(cubeRow).enumerated() where element >= 0 {
                        let field = source.dimensions[dimension].field
                        var only = [Bool](repeating: false, count: index.fields[field].cardinal)
                        only[Int(source.dimensions[dimension].localToField[Int(element)])] = true
                        narrowed[field] = only
                    }
                    return AssociativeInference(index: index, selected: narrowed).possibleRows
                }
            }
            return (associated ?? []).map { possibleRows in
                Result { () throws(ChartEvaluator.EvaluationError) -> QlikValue in
                    try ChartEvaluator(index: index, possibleRows: possibleRows).evaluate(measure.expression)
                }
            }
        }
    }

    /// NxStateCounts of a field's element states.
    static func stateCounts(_ states: [AssociativeInference.State]) -> [String: Int] {
        var count: [AssociativeInference.State: Int] = [:]
        for state in states { count[state, default: 0] += 1 }
        return HyperCube.counts(optional: count[.optional] ?? 0, selected: count[.selected] ?? 0, locked: count[.locked] ?? 0,
                                alternative: count[.alternative] ?? 0, excluded: count[.excluded] ?? 0,
                                selectedExcluded: count[.excludedSelected] ?? 0, lockedExcluded: count[.excludedLocked] ?? 0)
    }
}
