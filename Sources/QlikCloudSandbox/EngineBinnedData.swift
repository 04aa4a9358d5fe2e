import Foundation
import QVD

/// GetHyperCubeBinnedData: a scatter cube (one dimension, two or three measures: x, y and an optional third) as
/// points or as a grid of cells counting them, over the zone of interest a data range names in measure values
/// (qLeft the lowest x, qWidth the highest, qTop the highest y, qTop - qHeight the lowest; the data's own when
/// all zero). qBinningMethod 1 answers the points: a first empty row, then the dimension and measure cells of each
/// point in the zone. Any other method answers a rectangular grid of 2^qQueryLevel cells a side (halved until it has
/// at most qMaxNbrCells cells; without a level, the finest that fits qMaxNbrCells): a first row whose qNum is the
/// most points a cell holds, then a row per non-empty cell, from the top left across, qText its rectangle
/// "[[left, top, right, bottom]]", qNum its count, qElemNumber its place in the grid. qPages' qTop and qHeight page the
/// rows after the first (a page always has every column).
extension EngineConversation {
    mutating func binnedData(_ handle: Int, _ params: Params) async throws -> [String: Any] {
        guard let cube = await currentCube(handle) else {
            throw RPCError(code: -32602, parameter: "qPath", message: "The object has no qHyperCubeDef: its data is read with the method of its definition")
        }
        guard cube.fields.count == 1, (2...3).contains(cube.measures.count) else {
            throw RPCError(code: -32602, parameter: "qPath",
                           message: "Binned data needs a hypercube of one dimension and two or three measures (x, y and an optional third): this one has \(cube.fields.count) dimensions and \(cube.measures.count) measures")
        }
        let points = (0..<cube.rowCount).compactMap { row -> (row: Int, x: Double, y: Double)? in
            guard let x = cube.measureValues[0][row].number, let y = cube.measureValues[1][row].number, x.isFinite, y.isFinite else { return nil }
            return (row, x, y)
        }
        let range = (params.array(3, "qDataRanges") ?? []).first as? [String: Any] ?? [:]
        func number(_ key: String) -> Double { (range[key] as? NSNumber)?.doubleValue ?? 0 }
        var left = number("qLeft"), right = number("qWidth"), top = number("qTop"), bottom = number("qTop") - number("qHeight")
        if left == 0, right == 0, top == 0, bottom == 0 {
            left = points.map(\.x).min() ?? 0; right = points.map(\.x).max() ?? 0
            bottom = points.map(\.y).min() ?? 0; top = points.map(\.y).max() ?? 0
        }
        let inZone = points.filter { $0.x >= left && $0.x <= right && $0.y >= bottom && $0.y <= top }
        var rows: [[[String: Any]]]
        var header: [[String: Any]]
        if params.int(6, "qBinningMethod") == 1 {
            header = []
            let inference = await inference()
            guard let source = Self.cubeSource(cube, inference: inference) else {
                throw RPCError(code: 1001, parameter: cube.fields.joined(separator: ","), message: "The cube's fields are no longer in the app's data model")
            }
            let (field, localToField) = source.dimensions[0]
            let states = selections.states(of: field, in: inference.index)
            rows = inZone.map { point in
                let element = cube.dimensionElements(point.row)[0]
                var cell: [String: Any] = ["qText": "-", "qNum": "NaN", "qElemNumber": -2, "qState": "O", "qIsNull": true]
                if element >= 0 {
                    let fieldElement = Int(localToField[Int(element)])
                    let value = inference.index.fields[field].values[fieldElement]
                    let state = states[fieldElement]
                    cell = ["qText": value.displayText ?? "", "qNum": value.number.flatMap { $0.isFinite ? $0 : nil } ?? "NaN", "qElemNumber": Int(element),
                            "qState": state == .selected || state == .locked ? state.rawValue : "O"]
                }
                return [cell] + cube.measureValues.map { Self.measureCell($0[point.row]) }
            }
        } else {
            let level = max(0, min(params.int(5, "qQueryLevel") ?? 0, 15))
            let maximumCells = max(0, params.int(4, "qMaxNbrCells") ?? 0)
            var side = level > 0 ? 1 << level : (maximumCells > 0 ? 1 << 15 : 1)
            while side > 1, maximumCells > 0, side * side > maximumCells { side /= 2 }
            let width = (right - left) / Double(side), height = (top - bottom) / Double(side)
            var counts: [Int: Int] = [:]
            for point in inZone {
                let column = width > 0 ? Self.cellIndex((point.x - left) / width, count: side) : 0
                let row = height > 0 ? Self.cellIndex((top - point.y) / height, count: side) : 0
                counts[row * side + column, default: 0] += 1
            }
            header = [["qText": "", "qNum": counts.values.max() ?? 0, "qElemNumber": 0, "qState": "L"]]
            rows = counts.keys.sorted().map { cell in
                let column = Double(cell % side), row = Double(cell / side)
                let rectangle = [left + column * width, top - row * height, left + (column + 1) * width, top - (row + 1) * height]
                return [["qText": "[[" + rectangle.map(QlikValue.render).joined(separator: ", ") + "]]", "qNum": counts[cell] ?? 0,
                         "qElemNumber": cell, "qState": "L"]]
            }
        }
        let areas = try Self.pageAreas(params.array(1, "qPages") ?? [])
        return ["qDataPages": areas.map { area -> [String: Any] in
            let first = max(0, min(area.top, rows.count)), count = min(max(0, area.height), rows.count - first)
            let shown = Array(rows[first..<(first + count)])
            return ["qMatrix": [header] + shown, "qTails": [Any](),
                    "qArea": ["qLeft": 0, "qTop": first, "qWidth": shown.first?.count ?? 0, "qHeight": shown.count]]
        }]
    }
}
