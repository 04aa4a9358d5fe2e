import Foundation

/// The GenericBookmark class: a bookmark's description and the selections it holds.
extension EngineSession {
    mutating func genericBookmarkMethod(_ method: String, id: String, handle: Int, _ params: Params) async throws -> [String: Any] {
        let bookmark = try await requireObject(id)
        let selections = bookmark.bookmarkSelections ?? []
        switch method {
        case "GetLayout":
            let items: [[String: Any]] = selections.map { selection in
                ["qDef": ["qName": selection.field, "qType": "PRESENT"], "qLocked": false,
                 "qSelectInfo": ["qTextSearch": "", "qRangeLo": 0, "qRangeHi": 0, "qSoftLock": false, "qContinuousRangeInfo": [Any](),
                                 "qSelectFieldSearch": false, "qRangeInfo": [Any](),
                                 "qNumberFormat": ["qType": "U", "qnDec": 10, "qUseThou": 0, "qFmt": "", "qDec": "", "qThou": ""]],
                 "qValues": selection.values.map(Self.fieldValue), "qExcludedValues": [Any](), "qAndMode": false, "qOneAndOnlyOne": false,
                 "qValuesCount": selection.values.count, "qExcludedValuesCount": 0]
            }
            // Qlik stamps bookmarks in days since 1899-12-30, the serial its dates use.
            let modified = bookmark.modifiedAt.timeIntervalSince1970 / 86_400 + 25_569
            return ["qLayout": [
                "qInfo": Self.info(bookmark), "qMeta": meta(bookmark),
                "qBookmark": ["qStateData": [["qStateName": "$", "qFieldItems": items]], "qUtcModifyTime": modified,
                              "qVariableItems": [Any](), "qPatches": [Any](), "qGroupStates": [Any](), "qCyclicGroupStates": [Any]()],
                "qFieldInfos": selections.map { ["qFieldName": $0.field, "qValuesCount": $0.values.count, "qExcludedValuesCount": 0] },
            ]]
        case "GetFieldValues":
            let field = params.string(0, "qField") ?? ""
            let excluded = params.value(1, "qGetExcludedValues") as? Bool ?? false
            let page = params.object(2, "qDataPage") ?? [:]
            let values = excluded ? [] : selections.first { $0.field == field }?.values ?? []
            let start = max(0, page["qStartIndex"] as? Int ?? 0), end = min(values.count, page["qEndIndex"] as? Int ?? values.count)
            return ["qFieldValues": start < end ? values[start..<end].map(Self.fieldValue) : []]
        default:
            return try await masterItemMethod(method, bookmark, params)
        }
    }

    /// `FieldValue`: a selected value as text, with its number when it reads as one.
    static func fieldValue(_ text: String) -> [String: Any] {
        if let number = Double(text) { return ["qText": text, "qIsNumeric": true, "qNumber": number] }
        return ["qText": text, "qIsNumeric": false]
    }
}
