import Foundation
import QVD

/// A session object's hypercube over dimensions of one table: its distinct
/// rows in load order, each cell with the value's element number in its field.
/// Under selections it is restricted (``restricted(toRows:states:stateCounts:)``)
/// to the combinations of possible rows, its selected cells in state S.
struct HyperCube {
    /// What a cube definition asks for, checked against the data model.
    struct Plan {
        let id: String
        let type: String
        let fields: [String]
        let table: DataTable
        /// Each measure's title and expression.
        let measures: [(label: String, expression: ChartExpression)]
        let initialPages: [[String: Any]]
        /// qMode as its one-letter form ("S" straight, "P" pivot, "K" stacked, "T" tree).
        let mode: String
        /// qNoOfLeftDims: a pivot's dimensions down the left (-1: all of them).
        let leftDimensionCount: Int
        let alwaysFullyExpanded: Bool
        /// Per dimension, the fields of its drill-down group (qGrouping "H" with several qFieldDefs); empty for a plain one.
        let drillGroups: [[String]]
        /// Per dimension, the level of its drill-down group the cube shows (0 for a plain dimension).
        let drillLevels: [Int]

        /// `joined`: the rows to read when the dimensions come from more than one table (``JoinedRows``);
        /// `drillLevels`: per dimension, which field of a drill-down group to show (the first when nil).
        init(definition: [String: Any], model: DataModel, joined: DataTable? = nil, drillLevels: [Int]? = nil) throws {
            let info = definition["qInfo"] as? [String: Any]
            id = (info?["qId"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? Identifier.hex(bytes: 8)
            type = info?["qType"] as? String ?? "x"
            guard let cube = definition["qHyperCubeDef"] as? [String: Any] else {
                throw EngineConversation.RPCError(code: -32602, parameter: "qHyperCubeDef", message: "The object has no qHyperCubeDef")
            }
            mode = Self.modeLetter(cube["qMode"] as? String ?? "S")
            leftDimensionCount = cube["qNoOfLeftDims"] as? Int ?? -1
            alwaysFullyExpanded = cube["qAlwaysFullyExpanded"] as? Bool ?? false
            var measures: [(label: String, expression: ChartExpression)] = []
            for measure in (cube["qMeasures"] as? [[String: Any]]) ?? [] {
                let def = measure["qDef"] as? [String: Any]
                let text = def?["qDef"] as? String ?? ""
                let label = (def?["qLabel"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? text
                do {
                    measures.append((label, try ChartExpression.parse(text)))
                } catch {
                    throw EngineConversation.RPCError(code: -32602, parameter: "qMeasures", message: "The measure '\(text)' is no expression the engine reads: \(error.message)")
                }
            }
            self.measures = measures
            let dimensions = (cube["qDimensions"] as? [[String: Any]]) ?? []
            let groups = dimensions.map(Self.drillGroup)
            let levels = groups.indices.map { index in
                groups[index].isEmpty ? 0 : min(max(0, drillLevels.flatMap { $0.indices.contains(index) ? $0[index] : nil } ?? 0), groups[index].count - 1)
            }
            drillGroups = groups
            self.drillLevels = levels
            let fields = dimensions.enumerated().compactMap { index, dimension -> String? in
                if !groups[index].isEmpty { return groups[index][levels[index]] }
                return ((dimension["qDef"] as? [String: Any])?["qFieldDefs"] as? [String])?.first.map { LoadScript.unquote($0) }
            }
            self.fields = fields
            guard fields.count == dimensions.count, !(fields.isEmpty && measures.isEmpty) else {
                throw EngineConversation.RPCError(code: -32602, parameter: "qDimensions",
                                             message: "A hypercube needs a dimension (qDef.qFieldDefs with a field name) or a measure; each dimension needs a field name")
            }
            // Measures without dimensions (a KPI): one row of measure values over every possible row; no table of its own.
            guard !fields.isEmpty else {
                table = DataTable(name: "", fields: [], columns: [])
                initialPages = (cube["qInitialDataFetch"] as? [[String: Any]]) ?? []
                return
            }
            guard let table = model.tables.first(where: { table in fields.allSatisfy(table.fields.contains) }) ?? joined else {
                throw EngineConversation.RPCError(code: 1001, parameter: fields.joined(separator: ","),
                                             message: "Field not found, or the fields' tables are not associated through keys")
            }
            self.table = table
            initialPages = (cube["qInitialDataFetch"] as? [[String: Any]]) ?? []
        }

        /// A dimension's drill-down fields: its qFieldDefs when qGrouping is "H" and there are several, else none.
        static func drillGroup(_ dimension: [String: Any]) -> [String] {
            guard let definition = dimension["qDef"] as? [String: Any], ["H", "GRP_NX_HIEARCHY"].contains(definition["qGrouping"] as? String ?? ""),
                  let fields = definition["qFieldDefs"] as? [String], fields.count > 1 else { return [] }
            return fields.map { LoadScript.unquote($0) }
        }

        /// NxHypercubeMode's long names ("DATA_MODE_PIVOT") as their letters.
        static func modeLetter(_ mode: String) -> String {
            ["DATA_MODE_STRAIGHT": "S", "DATA_MODE_PIVOT": "P", "DATA_MODE_PIVOT_STACK": "K", "DATA_MODE_TREE": "T",
             "DATA_MODE_DYNAMIC": "D"][mode] ?? mode
        }

        func column(_ field: String) -> [QlikValue] {
            table.fields.firstIndex(of: field).map { table.columns[$0] } ?? []
        }
    }

    let id: String
    let type: String
    let fields: [String]
    /// The table the dimensions come from.
    let tableName: String
    /// Which build of a definition this is: views computed from an older build are stale.
    let identity = UUID()
    private let tableRowCount: Int
    /// The table rows that make the cube's distinct combinations.
    private var rows: [Int]
    /// Per dimension, the state letter to write in each element's cell instead of the prepared `O` (0: keep it);
    /// nil for a dimension without selected values.
    private var cellStates: [[UInt8]?]
    private var hasCellStates = false
    /// Per dimension, its NxStateCounts.
    private var stateCounts: [[String: Int]]
    /// The measures' titles and expressions; their values come with ``withMeasures(_:totals:)``.
    let measures: [(label: String, expression: ChartExpression)]
    /// The joined rows the cube reads when its dimensions come from more than one table; nil for one table.
    var join: JoinedRows?
    private var measureColumns: [MeasureColumn] = []
    private var measureErrors: [String?] = []
    /// Per measure, its value on each cube row (what range selections compare).
    private(set) var measureValues: [[QlikValue]] = []
    /// Per measure, its value over every possible row (the engine's qGrandTotalRow).
    private var grandTotals: [QlikValue] = []
    /// Per dimension, each table row's element number (-2 for null).
    private let elements: [[Int32]]
    /// Per dimension, how many distinct values it has.
    private let cardinals: [Int]
    /// Every distinct cell of every dimension, already serialized; a page is
    /// then a run of copies, which is what lets the sandbox serve pages
    /// faster than a connector reads them.
    /// The column indexes the cells live in; kept alive as long as the cube.
    private let indexes: [ColumnIndex]
    /// Per dimension, the address of its serialized cells.
    private let cellBases: [UnsafeRawPointer]
    /// Per dimension, where each element's serialized cell starts in `cells`
    /// (one more entry than elements: the last is the end).
    private let cellStarts: [[Int]]
    /// Per dimension, its longest serialized cell (the null cell at least).
    private var longestCell: [Int]
    let initialPages: [[String: Any]]
    /// The definition's qMode letter, qNoOfLeftDims and qAlwaysFullyExpanded (pivot mode reads them).
    let mode: String
    let leftDimensionCount: Int
    let alwaysFullyExpanded: Bool
    /// Per dimension, its drill-down group's fields (empty for a plain dimension) and the level the cube shows.
    let drillGroups: [[String]]
    let drillLevels: [Int]
    /// Whether a dimension is a drill-down group: the cube's fields then follow the selections. Kept, not computed,
    /// since every call on the object asks.
    let isDrillDown: Bool

    private static let nullCell = Array(#"{"qText":"-","qNum":"NaN","qElemNumber":-2,"qState":"O","qIsNull":true}"#.utf8)

    /// A cube over a table whose fields are already indexed, one index per dimension in order.
    init(plan: Plan, indexes: [ColumnIndex]) {
        id = plan.id
        type = plan.type
        fields = plan.fields
        tableName = plan.table.name
        tableRowCount = plan.table.rowCount
        measures = plan.measures
        initialPages = plan.initialPages
        mode = plan.mode
        leftDimensionCount = plan.leftDimensionCount
        alwaysFullyExpanded = plan.alwaysFullyExpanded
        drillGroups = plan.drillGroups
        drillLevels = plan.drillLevels
        isDrillDown = plan.drillGroups.contains { !$0.isEmpty }
        elements = indexes.map(\.elements)
        cardinals = indexes.map(\.cardinal)
        self.indexes = indexes
        cellBases = indexes.map { UnsafeRawPointer($0.cells.baseAddress!) }
        let cellStarts = indexes.map(\.starts)
        self.cellStarts = cellStarts
        longestCell = cellStarts.map { starts in
            zip(starts, starts.dropFirst()).reduce(Self.nullCell.count) { longest, cell in max(longest, cell.1 - cell.0) }
        }
        cellStates = Array(repeating: nil, count: indexes.count)
        stateCounts = cardinals.map { Self.counts(optional: $0) }
        rows = []
        rows = distinctRows(possible: nil)
    }

    /// The first row of each distinct combination of dimension values, in load order, among `possible` rows (all when nil).
    private func distinctRows(possible: [Bool]?) -> [Int] {
        // No dimensions: the cube is the one row of its measures' values.
        if elements.isEmpty { return [0] }
        let rowCount = tableRowCount
        // A dimension whose values are all distinct makes every row distinct: no need to hash rows.
        if cardinals.contains(rowCount) {
            guard let possible else { return Array(0..<rowCount) }
            return (0..<rowCount).filter { possible[$0] }
        }
        var seen = Set<[Int32]>()
        var rows: [Int] = []
        let elements = self.elements
        for row in 0..<rowCount where (possible?[row] ?? true) && seen.insert(elements.map { $0[row] }).inserted { rows.append(row) }
        return rows
    }

    /// This cube under selections: only combinations of `possible` rows; `states` gives per dimension each of its
    /// (table-local) elements' state letter for the cells (nil: all `O`), `stateCounts` each dimension's NxStateCounts.
    func restricted(toRows possible: [Bool]?, states: [[UInt8]?], stateCounts: [[String: Int]]) -> HyperCube {
        var cube = self
        cube.rows = distinctRows(possible: possible)
        cube.cellStates = states
        cube.hasCellStates = states.contains { $0 != nil }
        cube.stateCounts = stateCounts
        return cube
    }

    /// The cube's table rows behind each cube row (those with its combination of dimension values) among `possible` rows.
    func groups(possible: [Bool]?) -> [[Int]] {
        var groupOf: [[Int32]: Int] = [:]
        for (cubeRow, row) in rows.enumerated() { groupOf[elements.map { $0[row] }] = cubeRow }
        var groups = [[Int]](repeating: [], count: rows.count)
        for row in 0..<tableRowCount where possible?[row] ?? true {
            if let cubeRow = groupOf[elements.map { $0[row] }] { groups[cubeRow].append(row) }
        }
        return groups
    }

    /// Per dimension, the table-local element number of a cube row's value (-2 for null).
    func dimensionElements(_ cubeRow: Int) -> [Int32] { elements.map { $0[rows[cubeRow]] } }

    var rowCount: Int { rows.count }

    /// This cube with its measures' values: `values[m][r]` is measure m on cube row r; a measure that failed on a row
    /// shows an empty cell there and its error in its NxMeasureInfo.
    func withMeasures(_ values: [[Result<QlikValue, ChartEvaluator.EvaluationError>]], totals: [QlikValue]) -> HyperCube {
        var cube = self
        cube.grandTotals = totals
        cube.measureValues = values.map { column in column.map { (try? $0.get()) ?? .null } }
        cube.measureColumns = cube.measureValues.map(MeasureColumn.init)
        cube.measureErrors = values.map { column in
            column.lazy.compactMap { result -> String? in if case .failure(let error) = result { error.message } else { nil } }.first
        }
        cube.longestCell = Array(longestCell.prefix(fields.count)) + cube.measureColumns.map { max($0.longestCell, 1) }
        return cube
    }

    /// NxStateCounts with `optional` values in state O and none in another state.
    static func counts(optional: Int, selected: Int = 0, locked: Int = 0, alternative: Int = 0, excluded: Int = 0,
                       selectedExcluded: Int = 0, lockedExcluded: Int = 0) -> [String: Int] {
        ["qLocked": locked, "qSelected": selected, "qOption": optional, "qDeselected": 0, "qAlternative": alternative,
         "qExcluded": excluded, "qSelectedExcluded": selectedExcluded, "qLockedExcluded": lockedExcluded]
    }

    /// A cube built without a cache (session apps).
    init(definition: [String: Any], model: DataModel, drillLevels: [Int]? = nil) throws {
        let plan = try Plan(definition: definition, model: model, drillLevels: drillLevels)
        self.init(plan: plan, indexes: plan.fields.map { ColumnIndex(plan.column($0)) })
    }

    var layout: [String: Any] {
        [
            "qInfo": ["qId": id, "qType": type],
            "qHyperCube": [
                "qSize": ["qcx": fields.count + measureColumns.count, "qcy": rows.count],
                "qDimensionInfo": fields.enumerated().map { index, field in
                    var info: [String: Any] = ["qFallbackTitle": field, "qGroupFieldDefs": [field], "qCardinal": cardinals[index],
                     "qTags": [String](), "qSortIndicator": "A", "qIsSemantic": false, "qStateCounts": stateCounts[index]]
                    // A drill-down group names all its fields and which one the cube shows now.
                    if !drillGroups[index].isEmpty {
                        info["qGrouping"] = "H"
                        info["qGroupFieldDefs"] = drillGroups[index]
                        info["qGroupFallbackTitles"] = drillGroups[index]
                        info["qGroupPos"] = drillLevels[index]
                    }
                    return info
                },
                "qMeasureInfo": zip(measures, measureColumns).enumerated().map { position, pair in
                    let (measure, column) = pair
                    var info: [String: Any] = ["qFallbackTitle": measure.label, "qApprMaxGlyphCount": column.longestCell, "qCardinal": 0, "qSortIndicator": "N",
                     "qMin": column.minimum ?? 0, "qMax": column.maximum ?? 0, "qIsAutoFormat": true, "qReverseSort": false,
                     "qNumFormat": ["qType": "U", "qnDec": 10, "qUseThou": 0, "qFmt": "", "qDec": "", "qThou": ""],
                     "qAttrExprInfo": [Any](), "qAttrDimInfo": [Any](), "qCalcCondMsg": ""]
                    if let message = measureErrors[position] { info["qError"] = ["qErrorCode": 7005, "qContext": measure.label, "qExtendedMessage": message] }
                    return info
                },
                "qDataPages": initialPages.map {
                    page(top: $0["qTop"] as? Int ?? 0, left: $0["qLeft"] as? Int ?? 0, width: $0["qWidth"] as? Int ?? 0, height: $0["qHeight"] as? Int ?? 0)
                },
                "qMode": mode,
                "qNoOfLeftDims": -1,
                "qGrandTotalRow": grandTotals.map { total -> [String: Any] in
                    var cell: [String: Any] = ["qText": total.isNull ? "-" : total.displayText ?? "", "qElemNumber": -1, "qState": "L",
                                               "qIsTotalCell": true]
                    if let number = total.number, number.isFinite { cell["qNum"] = number } else { cell["qNum"] = "NaN" }
                    if total.isNull { cell["qIsNull"] = true }
                    return cell
                },
                "qEffectiveInterColumnSortOrder": Array(0..<(fields.count + measureColumns.count)),
            ] as [String: Any],
        ]
    }

    /// One data page; the area is clipped to the cube, as the engine does.
    /// The engine's hot path: each cell is a copy of its element's prepared JSON.
    func page(top: Int, left: Int, width: Int, height: Int) -> RawJSON {
        let columnCount = fields.count + measureColumns.count, dimensionCount = fields.count
        let top = max(0, min(top, rows.count)), left = max(0, min(left, columnCount))
        // Clamped before adding: a client may ask for Int.max rows.
        let bottom = top + min(max(0, height), rows.count - top), right = left + min(max(0, width), columnCount - left)
        // Room for the longest cell of each column on every row, its brackets and the comma before it: one allocation,
        // no growth (a zero-wide page is still "[]," per row).
        let rowSize = (left..<right).reduce(3) { $0 + longestCell[$1] + 1 }
        var json = JSONWriter(capacity: 160 + rowSize * (bottom - top))
        json.raw(#"{"qMatrix":["#)
        // Straight into the frame's memory with plain copies: ByteBuffer's own
        // writes check capacity, uniqueness and exclusive access on every call,
        // which on 10,000 small cells a page was most of the sandbox's time.
        json.rawWithUnsafeBytes(maximumCount: rowSize * (bottom - top)) { out in
            guard let base = out.baseAddress else { return 0 }
            var position = 0
            Self.nullCell.withUnsafeBytes { nullCell in
                for cubeRow in top..<bottom {
                    if cubeRow > top { base.storeBytes(of: UInt8(ascii: ","), toByteOffset: position, as: UInt8.self); position += 1 }
                    base.storeBytes(of: UInt8(ascii: "["), toByteOffset: position, as: UInt8.self)
                    position += 1
                    let row = rows[cubeRow]
                    for column in left..<right {
                        if column > left { base.storeBytes(of: UInt8(ascii: ","), toByteOffset: position, as: UInt8.self); position += 1 }
                        if column >= dimensionCount {
                            let measure = measureColumns[column - dimensionCount]
                            let start = measure.starts[cubeRow], count = measure.starts[cubeRow + 1] - start
                            if let source = measure.cells.baseAddress { (base + position).copyMemory(from: source + start, byteCount: count) }
                            position += count
                            continue
                        }
                        let element = Int(elements[column][row])
                        let cell: UnsafeRawBufferPointer
                        if element < 0 {
                            cell = nullCell
                        } else {
                            let start = cellStarts[column][element]
                            cell = UnsafeRawBufferPointer(start: cellBases[column] + start, count: cellStarts[column][element + 1] - start)
                        }
                        if let source = cell.baseAddress { (base + position).copyMemory(from: source, byteCount: cell.count) }
                        position += cell.count
                        // A prepared cell ends in `"qState":"O"}`: a selected value's letter replaces the O.
                        if hasCellStates, element >= 0, let states = cellStates[column], states[element] != 0 {
                            base.storeBytes(of: states[element], toByteOffset: position - 3, as: UInt8.self)
                        }
                    }
                    base.storeBytes(of: UInt8(ascii: "]"), toByteOffset: position, as: UInt8.self)
                    position += 1
                }
            }
            return position
        }
        json.raw(#"],"qTails":[],"qArea":{"qTop":\#(top),"qLeft":\#(left),"qWidth":\#(right - left),"qHeight":\#(bottom - top)}}"#)
        return RawJSON(buffer: json.buffer)
    }
}
