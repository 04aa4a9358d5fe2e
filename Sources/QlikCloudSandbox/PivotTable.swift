import Foundation
import QVD

/// Which nodes of a pivot table a session has expanded (ExpandLeft/ExpandTop), by their path of element numbers
/// from the first left (or top) dimension; the engine keeps this per object and session.
struct PivotExpansion {
    var left: Set<[Int32]> = []
    var top: Set<[Int32]> = []
}

/// A hypercube in pivot mode (qMode "P"): its first `leftCount` dimensions down the left, the others (then the
/// measures, when there are several) across the top, each level of either side a tree of the value combinations the
/// cube's rows hold, in load order. A node shows its children when it is expanded (or the cube is always fully
/// expanded); the data area has a row per visible left leaf and a column per visible top leaf and measure.
struct PivotTable {
    /// A tree of value combinations: each path's child elements, in first-appearance order.
    struct Tree {
        let depth: Int
        var children: [[Int32]: [Int32]] = [:]

        /// The visible leaves: a path whose node is expanded shows its children instead.
        func leaves(expanded: (_ path: [Int32]) -> Bool) -> [[Int32]] {
            guard depth > 0 else { return [[]] }
            var leaves: [[Int32]] = []
            func walk(_ path: [Int32]) {
                for element in children[path] ?? [] {
                    let child = path + [element]
                    if child.count < depth, expanded(child) { walk(child) } else { leaves.append(child) }
                }
            }
            walk([])
            return leaves
        }

        /// Every path above the last level: what "expand all" opens.
        var innerPaths: [[Int32]] { children.keys.filter { !$0.isEmpty && $0.count < depth } }
    }

    let leftCount: Int
    let left: Tree
    let top: Tree
    let measureLabels: [String]
    let alwaysFullyExpanded: Bool
    let expansion: PivotExpansion
    let leftLeaves: [[Int32]]
    let topLeaves: [[Int32]]
    /// Each left prefix joined (after a -9 marker) with each top prefix some cube row holds: the cells that exist.
    private let combinations: Set<[Int32]>
    /// A dimension's value by its element number.
    let dimensionValue: (_ dimension: Int, _ element: Int32) -> QlikValue

    /// `rows` are each cube row's element numbers per dimension; `leftCount` as qNoOfLeftDims (-1: every dimension).
    init(rows: [[Int32]], dimensionCount: Int, leftCount: Int, measureLabels: [String], alwaysFullyExpanded: Bool,
         expansion: PivotExpansion, value: @escaping (_ dimension: Int, _ element: Int32) -> QlikValue) {
        let leftCount = leftCount < 0 ? dimensionCount : min(leftCount, dimensionCount)
        self.leftCount = leftCount
        var left = Tree(depth: leftCount), top = Tree(depth: dimensionCount - leftCount)
        var combinations = Set<[Int32]>()
        var seenLeft = Set<[Int32]>(), seenTop = Set<[Int32]>()
        for row in rows {
            for level in 0..<leftCount where seenLeft.insert(Array(row[0...level])).inserted {
                left.children[Array(row[0..<level]), default: []].append(row[level])
            }
            for level in leftCount..<dimensionCount where seenTop.insert(Array(row[leftCount...level])).inserted {
                top.children[Array(row[leftCount..<level]), default: []].append(row[level])
            }
            for leftLevel in 0...leftCount {
                for topLevel in leftCount...dimensionCount {
                    combinations.insert(Array(row[0..<leftLevel]) + [-9] + Array(row[leftCount..<topLevel]))
                }
            }
        }
        self.left = left
        self.top = top
        self.combinations = combinations
        self.measureLabels = measureLabels
        self.alwaysFullyExpanded = alwaysFullyExpanded
        self.expansion = expansion
        dimensionValue = value
        leftLeaves = left.leaves { alwaysFullyExpanded || expansion.left.contains($0) }
        topLeaves = top.leaves { alwaysFullyExpanded || expansion.top.contains($0) }
    }

    /// Data columns per top leaf: one per measure when there are several (the pseudo dimension), else one.
    var columnsPerLeaf: Int { max(1, measureLabels.count) }
    var columnCount: Int { topLeaves.count * columnsPerLeaf }
    var rowCount: Int { leftLeaves.count }

    /// The left path of a data row; nil outside the pivot.
    func leftLeaf(_ row: Int) -> [Int32]? { leftLeaves.indices.contains(row) ? leftLeaves[row] : nil }

    /// The top path of a data column; nil outside the pivot.
    func topLeaf(column: Int) -> [Int32]? {
        column >= 0 && topLeaves.indices.contains(column / columnsPerLeaf) ? topLeaves[column / columnsPerLeaf] : nil
    }

    /// The left path of a data row and the top path and measure of a data column.
    func cell(row: Int, column: Int) -> (left: [Int32], top: [Int32], measure: Int)? {
        guard leftLeaves.indices.contains(row), (0..<columnCount).contains(column) else { return nil }
        return (leftLeaves[row], topLeaves[column / columnsPerLeaf], column % columnsPerLeaf)
    }

    /// Whether some cube row holds both paths' values.
    func exists(left: [Int32], top: [Int32]) -> Bool { combinations.contains(left + [-9] + top) }

    /// One NxPivotPage; `measure` computes a data cell's value (left path, top path, measure index).
    func page(top: Int, left: Int, width: Int, height: Int, measure: (_ left: [Int32], _ top: [Int32], _ index: Int) -> QlikValue) -> [String: Any] {
        let top = max(0, min(top, rowCount)), left = max(0, min(left, columnCount))
        let rows = top..<(top + min(max(0, height), rowCount - top)), columns = left..<(left + min(max(0, width), columnCount - left))
        let data: [[[String: Any]]] = rows.map { row in
            columns.map { column -> [String: Any] in
                guard let cell = cell(row: row, column: column), !measureLabels.isEmpty, exists(left: cell.left, top: cell.top) else {
                    return ["qText": "-", "qNum": "NaN", "qType": "E"]
                }
                let result = measure(cell.left, cell.top, cell.measure)
                var point: [String: Any] = ["qText": result.isNull ? "-" : result.displayText ?? "", "qType": result.isNull ? "U" : "V"]
                if let number = result.number, number.isFinite { point["qNum"] = number } else { point["qNum"] = "NaN" }
                return point
            }
        }
        return [
            "qLeft": dimensionCells(self.left, offset: 0, span: rows, leafWidth: 1, expanded: expansion.left),
            "qTop": columns.isEmpty ? [] : dimensionCells(self.top, offset: leftCount, span: columns, leafWidth: columnsPerLeaf, expanded: expansion.top),
            "qData": data,
            "qArea": ["qLeft": columns.lowerBound, "qTop": rows.lowerBound, "qWidth": columns.count, "qHeight": rows.count],
        ]
    }

    /// The NxPivotDimensionCell trees of one side over a range of its leaves (rows for the left, data columns for the
    /// top); qUp and qDown count a node's leaves before and after the range. Top leaves hold the measures' pseudo cells.
    private func dimensionCells(_ tree: Tree, offset: Int, span: Range<Int>, leafWidth: Int, expanded: Set<[Int32]>) -> [[String: Any]] {
        var position = 0
        func pseudoCells(from start: Int) -> [[String: Any]] {
            guard measureLabels.count > 1 else { return [] }
            return measureLabels.enumerated().compactMap { index, label in
                span.contains(start + index) ? ["qText": label, "qElemNo": index, "qValue": "NaN", "qCanExpand": false, "qCanCollapse": false,
                                                 "qType": "P", "qUp": 0, "qDown": 0, "qSubNodes": [Any]()] as [String: Any] : nil
            }
        }
        func walk(_ path: [Int32]) -> [[String: Any]] {
            var cells: [[String: Any]] = []
            for element in tree.children[path] ?? [] {
                let child = path + [element], start = position
                let inner = child.count < tree.depth
                let open = inner && (alwaysFullyExpanded || expanded.contains(child))
                var subNodes: [[String: Any]] = []
                if open { subNodes = walk(child) } else { position += leafWidth; subNodes = leafWidth > 1 ? pseudoCells(from: start) : [] }
                guard start < span.upperBound, position > span.lowerBound else { continue }
                let shown = dimensionValue(offset + child.count - 1, element)
                cells.append([
                    "qText": element < 0 ? "-" : shown.displayText ?? "", "qElemNo": Int(element),
                    "qValue": shown.number.flatMap { $0.isFinite ? $0 : nil } ?? "NaN" as Any,
                    "qCanExpand": inner && !open && !alwaysFullyExpanded, "qCanCollapse": open && !alwaysFullyExpanded,
                    "qType": element < 0 ? "U" : "N", "qUp": max(0, span.lowerBound - start), "qDown": max(0, position - span.upperBound),
                    "qSubNodes": subNodes,
                ])
            }
            return cells
        }
        guard tree.depth > 0 else { return leafWidth > 1 ? pseudoCells(from: 0) : [] }
        return walk([])
    }
}
