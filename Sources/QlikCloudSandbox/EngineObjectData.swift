import Foundation
import QVD

/// The data part of generic objects: the hypercube a definition asks for, computed over the app's data model
/// and restricted by the session's selections.
extension EngineSession {
    /// The data keys of an object's layout (`qHyperCube`) for its properties; builds the object's cube on first use
    /// and keeps it by handle, so data pages are copies of prepared cells. The answer reflects the current selections.
    /// H1's GetLayout calls it with plain definitions (master item references already resolved).
    mutating func dataLayout(for properties: [String: Any], id: String, type: String, handle: Int) async throws -> [String: Any] {
        var layout: [String: Any] = [:]
        if let definition = properties["qListObjectDef"] as? [String: Any] {
            if listObjects[handle] == nil {
                let list = try ListObject(definition: definition)
                _ = try await field(named: list.field)
                listObjects[handle] = list
            }
            layout.merge(try await listObjectView(handle).layout) { _, new in new }
        }
        guard properties["qHyperCubeDef"] != nil else { return layout }
        if objects[handle] == nil {
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
        }
        layout.merge(await currentCube(handle)?.layout ?? [:]) { _, new in new }
        return layout
    }

    /// The list object of a handle as the current selections leave it: its field, each value's state and the display order.
    mutating func listObjectView(_ handle: Int) async throws -> (list: ListObject, field: AssociativeIndex.Field, states: [AssociativeInference.State], order: [Int], layout: [String: Any]) {
        guard let list = listObjects[handle] else {
            throw RPCError(code: -32602, parameter: "qPath", message: "The object has no qListObjectDef: its data is read with the method of its definition")
        }
        let (index, number) = try await field(named: list.field)
        let states = selections.states(of: number, in: index)
        let order = list.order(index.fields[number], states: states)
        return (list, index.fields[number], states, order, list.layout(index.fields[number], states: states, order: order))
    }

    /// The object's cube as the current selections leave it, with its measures' values; a cube without selections
    /// or measures is the cube as built (the fast path).
    mutating func currentCube(_ handle: Int) async -> HyperCube? {
        guard let cube = objects[handle] else { return nil }
        let hasSelections = !selections.current.values.isEmpty
        guard hasSelections || !cube.measures.isEmpty else { return cube }
        let index = await associativeIndex()
        if let view = selections.cubeView(handle, index: index) { return view }
        guard let table = index.table(cube.tableName) else { return cube }
        let columns = cube.fields.compactMap { name in index.tables[table].fields.firstIndex { index.fields[$0].name == name } }
        guard columns.count == cube.fields.count else { return cube }
        let inference = selections.inference(index)
        var view = cube
        if hasSelections {
            var states: [[UInt8]?] = []
            var counts: [[String: Int]] = []
            for column in columns {
                let fieldStates = selections.states(of: index.tables[table].fields[column], in: index)
                counts.append(Self.stateCounts(fieldStates))
                let letters = index.tables[table].localToField[column].map { element -> UInt8 in
                    switch fieldStates[Int(element)] {
                    case .selected: UInt8(ascii: "S")
                    case .locked: UInt8(ascii: "L")
                    default: 0
                    }
                }
                states.append(letters.contains { $0 != 0 } ? letters : nil)
            }
            view = cube.restricted(toRows: inference.possibleRows[table], states: states, stateCounts: counts)
        }
        if !cube.measures.isEmpty {
            view = view.withMeasures(measureValues(view, table: table, columns: columns, inference: inference))
        }
        selections.keep(cubeView: view, for: handle, index: index)
        return view
    }

    /// Each measure on each cube row. A measure over the cube's own table aggregates the rows of the row's group;
    /// one over other tables, the rows associated with the row's dimension values (as if they were selected).
    private func measureValues(_ cube: HyperCube, table: Int, columns: [Int], inference: AssociativeInference) -> [[Result<QlikValue, ChartEvaluator.EvaluationError>]] {
        let index = inference.index
        let tableFields = Set(index.tables[table].fields)
        var groups: [[Int]]?
        var associated: [[[Bool]?]]?
        return cube.measures.map { measure in
            let local = measure.expression.fields.allSatisfy { index.fieldNumber[$0].map(tableFields.contains) ?? true }
            if local {
                if groups == nil { groups = cube.groups(possible: inference.possibleRows[table]) }
                return (groups ?? []).map { rows in
                    Result { () throws(ChartEvaluator.EvaluationError) -> QlikValue in
                        try ChartEvaluator(index: index, possibleRows: inference.possibleRows, group: (table, rows)).evaluate(measure.expression)
                    }
                }
            }
            if associated == nil {
                let selected = selections.selectedElements(index)
                associated = (0..<cube.rowCount).map { cubeRow in
                    var narrowed = selected
                    for (dimension, element) in cube.dimensionElements(cubeRow).enumerated() where element >= 0 {
                        let field = index.tables[table].fields[columns[dimension]]
                        var only = [Bool](repeating: false, count: index.fields[field].cardinal)
                        only[Int(index.tables[table].localToField[columns[dimension]][Int(element)])] = true
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
