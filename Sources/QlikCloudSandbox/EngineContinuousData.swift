import Foundation
import QVD

/// GetHyperCubeContinuousData: a cube whose first dimension is a continuous axis (numbers, dates, timestamps), as
/// line charts read it. The points between qStart and qEnd come in axis order; when there are more distinct axis
/// values than qNbrPoints, they are binned into qNbrPoints equal intervals, each bin one row at its midpoint with
/// the measures over the bin's values. A second dimension makes the lines, at most qMaxNumberLines of them.
/// qAxisData has the axis's ticks, at most qMaxNbrTicks, on round steps.
extension EngineConversation {
    mutating func continuousData(_ handle: Int, options: [String: Any], reverse: Bool) async throws -> [String: Any] {
        guard let cube = await currentCube(handle) else {
            throw RPCError(code: -32602, parameter: "qPath", message: "The object has no qHyperCubeDef: its data is read with the method of its definition")
        }
        let inference = await inference()
        let index = inference.index
        guard !cube.fields.isEmpty, let source = Self.cubeSource(cube, inference: inference) else {
            throw RPCError(code: -32602, parameter: "qPath", message: "Continuous data needs a hypercube whose first dimension is a field with numbers, dates or times")
        }
        let dimensions = source.dimensions
        func value(_ dimension: Int, _ element: Int32) -> QlikValue {
            element < 0 ? .null : index.fields[dimensions[dimension].field].values[Int(dimensions[dimension].localToField[Int(element)])]
        }
        let rows = (0..<cube.rowCount).map { (row: $0, elements: cube.dimensionElements($0)) }
        let axisValues = rows.compactMap { value(0, $0.elements[0]).number }
        guard !axisValues.isEmpty || cube.rowCount == 0 else {
            throw RPCError(code: -32602, parameter: "qPath",
                           message: "Continuous data needs a first dimension with numeric values (numbers, dates or times): '\(cube.fields[0])' has none")
        }
        var start = (options["qStart"] as? NSNumber)?.doubleValue ?? 0, end = (options["qEnd"] as? NSNumber)?.doubleValue ?? 0
        // No range asked for (qEnd not above qStart): the data's own.
        if !(end > start) { start = axisValues.min() ?? 0; end = axisValues.max() ?? 0 }
        // The lines: a second dimension's first values in load order, at most qMaxNumberLines (0: all).
        let maximumLines = options["qMaxNumberLines"] as? Int ?? 0
        var lines: [Int32] = []
        if cube.fields.count > 1 {
            for row in rows where !lines.contains(row.elements[1]) { lines.append(row.elements[1]) }
            if maximumLines > 0 { lines = Array(lines.prefix(maximumLines)) }
        }
        let inRange = rows.filter { row in
            guard let x = value(0, row.elements[0]).number, x >= start, x <= end else { return false }
            return cube.fields.count < 2 || lines.contains(row.elements[1])
        }
        var states: [[AssociativeInference.State]] = []
        for dimension in dimensions { states.append(selections.states(of: dimension.field, in: index)) }
        func cell(_ dimension: Int, _ element: Int32) -> [String: Any] {
            let shown = value(dimension, element)
            guard element >= 0 else { return ["qText": "-", "qNum": "NaN", "qElemNumber": -2, "qState": "O", "qIsNull": true] }
            let state = states[dimension][Int(dimensions[dimension].localToField[Int(element)])]
            return ["qText": shown.displayText ?? "", "qNum": shown.number.flatMap { $0.isFinite ? $0 : nil } ?? "NaN", "qElemNumber": Int(element),
                    "qState": state == .selected || state == .locked ? state.rawValue : "O"]
        }
        let measureCount = cube.measures.count
        var matrix: [(x: Double, cells: [[String: Any]])] = []
        let distinct = Set(inRange.compactMap { value(0, $0.elements[0]).number }).count
        let bins = options["qNbrPoints"] as? Int ?? 0
        if bins > 0, distinct > bins, end > start {
            // Each bin (and line) is one point at the bin's midpoint, its measures over the axis values it holds.
            let width = (end - start) / Double(bins)
            var groups: [[Int32]: [Int32]] = [:], order: [[Int32]] = []
            for row in inRange {
                guard let x = value(0, row.elements[0]).number else { continue }
                let bin = Int32(Self.cellIndex((x - start) / width, count: bins))
                let key = [bin] + Array(row.elements.dropFirst())
                if groups[key] == nil { order.append(key) }
                if !(groups[key] ?? []).contains(row.elements[0]) { groups[key, default: []].append(row.elements[0]) }
            }
            let selected = selections.selectedElements(index)
            for key in order {
                let middle = start + (Double(key[0]) + 0.5) * width
                var narrowed = selected
                var axis = [Bool](repeating: false, count: index.fields[dimensions[0].field].cardinal)
                for element in groups[key] ?? [] { axis[Int(dimensions[0].localToField[Int(element)])] = true }
                narrowed[dimensions[0].field] = axis
                for (offset, element) in key.dropFirst().enumerated() where element >= 0 {
                    let dimension = offset + 1
                    var only = [Bool](repeating: false, count: index.fields[dimensions[dimension].field].cardinal)
                    only[Int(dimensions[dimension].localToField[Int(element)])] = true
                    narrowed[dimensions[dimension].field] = only
                }
                let possible = AssociativeInference(index: index, selected: narrowed).possibleRows
                let measures = cube.measures.map { measure in
                    // A measure that fails shows as an empty cell; its error is in the cube's qMeasureInfo.
                    Self.measureCell((try? ChartEvaluator(index: index, possibleRows: possible).evaluate(measure.expression)) ?? .null)
                }
                let binCell: [String: Any] = ["qText": QlikValue.render(middle), "qNum": middle, "qElemNumber": -1, "qState": "O"]
                matrix.append((middle, [binCell] + key.dropFirst().enumerated().map { cell($0.offset + 1, $0.element) } + measures))
            }
        } else {
            for row in inRange {
                let measures = (0..<measureCount).map { Self.measureCell(cube.measureValues[$0][row.row]) }
                matrix.append((value(0, row.elements[0]).number ?? 0, row.elements.enumerated().map { cell($0.offset, $0.element) } + measures))
            }
        }
        // Stable: rows with the same axis value keep load order.
        let sorted = matrix.enumerated().sorted { left, right in
            left.element.x == right.element.x ? left.offset < right.offset : (reverse ? left.element.x > right.element.x : left.element.x < right.element.x)
        }.map(\.element.cells)
        let width = cube.fields.count + measureCount
        // At most the engine's cells per call.
        let kept = Array(sorted.prefix(max(1, Self.maximumCells / max(1, width))))
        let page: [String: Any] = ["qMatrix": kept, "qTails": [Any](),
                                   "qArea": ["qLeft": 0, "qTop": 0, "qWidth": width, "qHeight": kept.count]]
        let field = index.fields[dimensions[0].field]
        let tags = EngineViews.tags(field.values)
        let ticks = Self.ticks(from: start, to: end, maximum: options["qMaxNbrTicks"] as? Int ?? 0, tags: tags)
        return ["qDataPages": [page], "qAxisData": ["qAxis": [["qName": field.name, "qTags": tags, "qTicks": ticks]]]]
    }

    /// Which of `count` equal cells a position (in cell widths from the first) falls in; the last holds the end, and a
    /// position no division could give (a width that underflowed) the nearest cell, so no conversion traps.
    static func cellIndex(_ position: Double, count: Int) -> Int {
        guard !position.isNaN else { return 0 }
        return Int(min(Double(count - 1), max(0, position.rounded(.down))))
    }

    /// A measure value as an NxCell, as straight pages show it.
    static func measureCell(_ value: QlikValue) -> [String: Any] {
        var cell: [String: Any] = ["qText": value.isNull ? "-" : value.displayText ?? "", "qElemNumber": 0, "qState": "L"]
        if let number = value.number, number.isFinite { cell["qNum"] = number } else { cell["qNum"] = "NaN" }
        if value.isNull { cell["qIsNull"] = true }
        return cell
    }

    /// NxTickCell values on round steps (1, 2 or 5 times a power of ten) from `start` to `end`, at most `maximum` of
    /// them (10 when not positive); each from its value to the next tick. Dates and timestamps are labelled as such.
    static func ticks(from start: Double, to end: Double, maximum: Int, tags: [String]) -> [[String: Any]] {
        func label(_ value: Double) -> String {
            guard tags.contains("$timestamp") else { return QlikValue.render(value) }
            // Qlik's day serial counts from 1899-12-30.
            let date = Date(timeIntervalSince1970: (value - 25_569) * 86_400)
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = tags.contains("$date") ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss"
            return formatter.string(from: date)
        }
        // A client's qMaxNbrTicks is capped, so a huge one cannot ask for a tick per representable number.
        let count = maximum > 0 ? min(maximum, 1_000) : 10
        let power = pow(10, floor(log10((end - start) / Double(count))))
        guard end > start, start.isFinite, end.isFinite, power > 0, power.isFinite else { return [["qText": label(start), "qStart": start, "qEnd": start]] }
        var step = power
        for factor in [1.0, 2, 5, 10, 20, 50, 100] {
            step = factor * power
            if ((end - start) / step).rounded(.down) + 1 <= Double(count) { break }
        }
        var ticks: [[String: Any]] = []
        var tick = (start / step).rounded(.up) * step
        while tick <= end + step * 1e-9, ticks.count < count {
            ticks.append(["qText": label(tick), "qStart": tick, "qEnd": min(tick + step, end)])
            tick += step
        }
        return ticks
    }
}
