import Foundation
import QVD

/// A session object's hypercube over dimensions of one table: its distinct
/// rows in load order, each cell with the value's element number in its field.
struct HyperCube {
    let id: String
    let type: String
    let fields: [String]
    /// Per dimension, the table column the dimension reads.
    private let columns: [[QlikValue]]
    /// The table rows that make the cube's distinct combinations.
    private let rows: [Int]
    /// Per dimension, each table row's element number (-2 for null).
    private let elements: [[Int]]
    private let initialPages: [[String: Any]]

    init(definition: [String: Any], model: DataModel) throws {
        let info = definition["qInfo"] as? [String: Any]
        id = (info?["qId"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? Identifier.hex(bytes: 8)
        type = info?["qType"] as? String ?? "x"
        guard let cube = definition["qHyperCubeDef"] as? [String: Any] else {
            throw EngineSession.RPCError(code: -32602, parameter: "qHyperCubeDef", message: "The object has no qHyperCubeDef")
        }
        if let measures = cube["qMeasures"] as? [Any], !measures.isEmpty {
            throw EngineSession.RPCError(code: -32602, parameter: "qMeasures", message: "Measures are not supported by the sandbox engine")
        }
        let dimensions = (cube["qDimensions"] as? [[String: Any]]) ?? []
        let fields = dimensions.compactMap { (($0["qDef"] as? [String: Any])?["qFieldDefs"] as? [String])?.first }.map { LoadScript.unquote($0) }
        self.fields = fields
        guard !fields.isEmpty, fields.count == dimensions.count else {
            throw EngineSession.RPCError(code: -32602, parameter: "qDimensions", message: "Each dimension needs qDef.qFieldDefs with a field name")
        }
        guard let table = model.tables.first(where: { table in fields.allSatisfy(table.fields.contains) }) else {
            throw EngineSession.RPCError(code: 1001, parameter: fields.joined(separator: ","),
                                         message: "Field not found, or the fields are in different tables (the sandbox engine reads one table per cube)")
        }
        let columns = fields.compactMap { field in table.fields.firstIndex(of: field).map { table.columns[$0] } }
        self.columns = columns
        var elements: [[Int]] = []
        for column in columns {
            var numbers: [QlikValue: Int] = [:]
            elements.append(column.map { value in
                if value.isNull { return -2 }
                if let number = numbers[value] { return number }
                numbers[value] = numbers.count
                return numbers.count - 1
            })
        }
        self.elements = elements
        var seen = Set<[Int]>()
        var rows: [Int] = []
        for row in 0..<table.rowCount where seen.insert(elements.map { $0[row] }).inserted { rows.append(row) }
        self.rows = rows
        initialPages = (cube["qInitialDataFetch"] as? [[String: Any]]) ?? []
    }

    var layout: [String: Any] {
        [
            "qInfo": ["qId": id, "qType": type],
            "qHyperCube": [
                "qSize": ["qcx": fields.count, "qcy": rows.count],
                "qDimensionInfo": fields.enumerated().map { index, field in
                    ["qFallbackTitle": field, "qGroupFieldDefs": [field], "qCardinal": Set(elements[index].filter { $0 >= 0 }).count,
                     "qTags": [String](), "qSortIndicator": "A", "qIsSemantic": false] as [String: Any]
                },
                "qMeasureInfo": [Any](),
                "qDataPages": initialPages.map {
                    page(top: $0["qTop"] as? Int ?? 0, left: $0["qLeft"] as? Int ?? 0, width: $0["qWidth"] as? Int ?? 0, height: $0["qHeight"] as? Int ?? 0)
                },
                "qMode": "S",
                "qNoOfLeftDims": -1,
                "qGrandTotalRow": [Any](),
                "qEffectiveInterColumnSortOrder": Array(fields.indices),
            ] as [String: Any],
        ]
    }

    /// One data page; the area is clipped to the cube, as the engine does.
    /// Written straight to JSON: this is the engine's hot path.
    func page(top: Int, left: Int, width: Int, height: Int) -> RawJSON {
        let top = max(0, min(top, rows.count)), left = max(0, min(left, fields.count))
        let bottom = min(rows.count, top + max(0, height)), right = min(fields.count, left + max(0, width))
        var json = JSONWriter(capacity: (bottom - top) * (right - left) * 64 + 128)
        json.raw(#"{"qMatrix":["#)
        for cubeRow in top..<bottom {
            if cubeRow > top { json.raw(",") }
            json.raw("[")
            let row = rows[cubeRow]
            for column in left..<right {
                if column > left { json.raw(",") }
                let element = elements[column][row]
                if element < 0 {
                    json.raw(#"{"qText":"-","qNum":"NaN","qElemNumber":-2,"qState":"O","qIsNull":true}"#)
                    continue
                }
                let value = columns[column][row]
                json.raw(#"{"qText":"#)
                json.write(string: value.displayText ?? "")
                json.raw(#","qNum":"#)
                if let number = value.number { json.write(number: number) } else { json.raw(#""NaN""#) }
                json.raw(#","qElemNumber":"#)
                json.raw(String(element))
                json.raw(#","qState":"O"}"#)
            }
            json.raw("]")
        }
        json.raw(#"],"qTails":[],"qArea":{"qTop":\#(top),"qLeft":\#(left),"qWidth":\#(right - left),"qHeight":\#(bottom - top)}}"#)
        return RawJSON(text: String(decoding: json.bytes, as: UTF8.self))
    }
}

/// Engine results that read the data model.
enum EngineViews {
    static func tablesAndKeys(_ model: DataModel) -> [String: Any] {
        var tablesOfField: [String: [String]] = [:]
        for table in model.tables { for field in table.fields { tablesOfField[field, default: []].append(table.name) } }
        let tables: [[String: Any]] = model.tables.enumerated().map { position, table in
            [
                "qName": table.name, "qLoose": false, "qNoOfRows": table.rowCount, "qIsSynthetic": false, "qIsDirectDiscovery": false,
                "qComment": "", "qTableTags": [String](), "qPos": ["qx": position * 200, "qy": 0],
                "qFields": table.fields.enumerated().map { index, field -> [String: Any] in
                    let column = table.columns[index]
                    let present = column.filter { !$0.isNull }
                    let distinct = Set(present).count
                    let isKey = (tablesOfField[field]?.count ?? 0) > 1
                    return [
                        "qName": field, "qOriginalFields": [String](), "qPresent": true, "qHasNull": present.count < column.count,
                        "qHasWild": false, "qHasDuplicates": distinct < present.count, "qIsSynthetic": false,
                        "qInformationDensity": column.isEmpty ? 0 : Double(present.count) / Double(column.count),
                        "qnNonNulls": present.count, "qnRows": column.count, "qSubsetRatio": 1,
                        "qnTotalDistinctValues": distinct, "qnPresentDistinctValues": distinct,
                        "qKeyType": isKey ? "ANY_KEY" : "NOT_KEY", "qComment": "", "qTags": tags(present),
                        "qDerivedFields": [Any](), "qIsFieldOnTheFly": false, "qReadableName": field,
                    ]
                },
            ]
        }
        let keys: [[String: Any]] = tablesOfField.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }.map {
            ["qKeyFields": [$0.key], "qTables": $0.value]
        }
        return ["qtr": tables, "qk": keys]
    }

    static func tags(_ values: [QlikValue]) -> [String] {
        guard !values.isEmpty else { return [] }
        if values.allSatisfy({ $0.number != nil }) {
            return values.allSatisfy({ $0.number.map { $0 == $0.rounded() } ?? false }) ? ["$numeric", "$integer"] : ["$numeric"]
        }
        if values.allSatisfy({ if case .text = $0 { true } else { false } }) {
            return values.allSatisfy({ $0.displayText?.allSatisfy(\.isASCII) ?? true }) ? ["$ascii", "$text"] : ["$text"]
        }
        return []
    }

    static func tableData(_ table: DataTable, offset: Int, rows: Int) -> [[String: Any]] {
        let end = min(table.rowCount, offset + rows)
        guard offset < end else { return [] }
        return (offset..<end).map { row in
            ["qValue": table.columns.map { column -> [String: Any] in
                let value = column[row]
                if value.isNull { return ["qText": "", "qIsNumeric": false, "qNumber": 0, "qIsNull": true] }
                return ["qText": value.displayText ?? "", "qIsNumeric": value.number != nil, "qNumber": value.number ?? 0]
            }]
        }
    }
}
