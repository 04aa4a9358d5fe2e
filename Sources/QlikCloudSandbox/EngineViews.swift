import Foundation
import QVD

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
        // Qlik tags a field by its number format; the sandbox keeps no formats, so it reads the shape:
        // duals whose text is an ISO date (or date and time) over a day serial are dates (timestamps).
        if values.allSatisfy({ if case .dual(let number, let text) = $0 { number > 0 && number < 2_958_466 && Self.looksLikeDate(text) } else { false } }) {
            let whole = values.allSatisfy { $0.number.map { $0 == $0.rounded() } ?? false }
            return whole ? ["$numeric", "$integer", "$timestamp", "$date"] : ["$numeric", "$timestamp"]
        }
        if values.allSatisfy({ $0.number != nil }) {
            return values.allSatisfy({ $0.number.map { $0 == $0.rounded() } ?? false }) ? ["$numeric", "$integer"] : ["$numeric"]
        }
        if values.allSatisfy({ if case .text = $0 { true } else { false } }) {
            return values.allSatisfy({ $0.displayText?.allSatisfy(\.isASCII) ?? true }) ? ["$ascii", "$text"] : ["$text"]
        }
        return []
    }

    /// `YYYY-MM-DD`, optionally followed by a time.
    static func looksLikeDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8.prefix(10))
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        return [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { bytes[$0] >= UInt8(ascii: "0") && bytes[$0] <= UInt8(ascii: "9") }
    }

    static func tableData(_ table: DataTable, offset: Int, rows: Int) -> [[String: Any]] {
        let end = min(table.rowCount, offset + rows)
        guard offset < end else { return [] }
        return (offset..<end).map { row in
            ["qValue": table.columns.map { column -> [String: Any] in
                let value = column[row]
                // The schema's FieldValue has no null flag: the engine answers a null as an empty text that is no number.
                if value.isNull { return ["qText": "", "qIsNumeric": false, "qNumber": 0] }
                return ["qText": value.displayText ?? "", "qIsNumeric": value.number != nil, "qNumber": value.number ?? 0]
            }]
        }
    }
}
