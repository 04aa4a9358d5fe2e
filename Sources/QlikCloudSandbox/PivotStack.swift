import Foundation
import QVD

/// A hypercube in stacked mode (qMode "K", what stacked bar charts read): its dimensions as a fully expanded tree
/// under one root cell, each last-level node holding its measures' values, each node the sum of the positive
/// (qMaxPos) and of the negative (qMinNeg) values beneath it, so a client can scale its stacks.
extension PivotTable {
    /// One NxStackPage over the first dimension's values `top..<top+height` (at most `maximumCells` of them).
    func stackPage(top: Int, left: Int, width: Int, height: Int, maximumCells: Int,
                   measure: (_ path: [Int32], _ top: [Int32], _ index: Int) -> QlikValue) -> [String: Any] {
        let outer = self.left.children[[]] ?? []
        let start = max(0, min(top, outer.count))
        let rows = start..<min(outer.count, start + max(0, min(height, maximumCells)))
        let columnCount = self.left.depth + measureLabels.count
        let firstColumn = max(0, min(left, columnCount))
        var row = 0
        func node(_ path: [Int32]) -> [String: Any] {
            let element = path[path.count - 1]
            let shown = dimensionValue(path.count - 1, element)
            var subNodes: [[String: Any]] = []
            if path.count < self.left.depth {
                subNodes = (self.left.children[path] ?? []).map { node(path + [$0]) }
            } else {
                subNodes = measureLabels.indices.map { index in
                    let result = measure(path, [], index)
                    let number = result.number.flatMap { $0.isFinite ? $0 : nil }
                    return ["qText": result.isNull ? "-" : result.displayText ?? "", "qElemNo": 0, "qValue": number ?? "NaN" as Any,
                            "qType": result.isNull ? "U" : "V", "qCanExpand": false, "qCanCollapse": false,
                            "qMaxPos": max(0, number ?? 0), "qMinNeg": min(0, number ?? 0), "qUp": 0, "qDown": 0, "qRow": row, "qSubNodes": [Any]()]
                }
                row += 1
            }
            let values = subNodes.compactMap { $0["qType"] as? String == "V" || $0["qType"] as? String == "N" ? $0 : nil }
            return ["qText": element < 0 ? "-" : shown.displayText ?? "", "qElemNo": Int(element),
                    "qValue": shown.number.flatMap { $0.isFinite ? $0 : nil } ?? "NaN" as Any, "qType": element < 0 ? "U" : "N",
                    "qCanExpand": false, "qCanCollapse": false,
                    "qMaxPos": values.reduce(0.0) { $0 + ($1["qMaxPos"] as? Double ?? 0) },
                    "qMinNeg": values.reduce(0.0) { $0 + ($1["qMinNeg"] as? Double ?? 0) },
                    "qUp": 0, "qDown": 0, "qRow": row, "qSubNodes": subNodes]
        }
        let cells = rows.map { node([outer[$0]]) }
        let root: [String: Any] = [
            "qText": "", "qElemNo": -1, "qValue": "NaN", "qType": "R", "qCanExpand": false, "qCanCollapse": false,
            "qMaxPos": cells.reduce(0.0) { $0 + ($1["qMaxPos"] as? Double ?? 0) }, "qMinNeg": cells.reduce(0.0) { $0 + ($1["qMinNeg"] as? Double ?? 0) },
            "qUp": rows.lowerBound, "qDown": outer.count - rows.upperBound, "qRow": 0, "qSubNodes": cells,
        ]
        return ["qData": [root], "qArea": ["qLeft": firstColumn, "qTop": rows.lowerBound,
                                          "qWidth": min(columnCount - firstColumn, max(0, width)), "qHeight": rows.count]]
    }
}
