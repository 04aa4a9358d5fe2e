import Foundation
import QVD

/// The GenericBookmark class: a bookmark's description and the selections it holds.
extension EngineConversation {
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
        case "Apply":
            return ["qSuccess": await apply(bookmark).applied]
        case "ApplyAndVerify":
            let (applied, warnings) = await apply(bookmark)
            return ["qResult": ["qApplySuccess": applied, "qWarnings": warnings]]
        case "GetProperties":
            return ["qProp": bookmark.properties.dictionary]
        case "GetInfo":
            return ["qInfo": Self.info(bookmark)]
        case "SetProperties":
            return try await setItemProperties(bookmark, params)
        case "ApplyPatches":
            return try await patchItem(bookmark, params)
        default:
            throw RPCError.methodNotFound(method)
        }
    }

    /// Makes a bookmark's selections the session's (locked fields keep theirs), matching each value to the field's values
    /// by text; `BookmarkFieldVerifyWarning` per field says which values or fields the data no longer has.
    mutating func apply(_ bookmark: AppObject) async -> (applied: Bool, warnings: [[String: Any]]) {
        var chosen: [String: [QlikValue]] = [:]
        var warnings: [[String: Any]] = []
        let model = await model()
        for selection in bookmark.bookmarkSelections ?? [] {
            guard model.tables.contains(where: { $0.fields.contains(selection.field) }) else {
                warnings.append(["qState": "$", "qField": selection.field, "qVerifyResult": "FIELD_MISSING", "qMissingValues": selection.values])
                continue
            }
            let known = await fieldValues(selection.field)
            var values: [QlikValue] = [], missing: [String] = []
            for text in selection.values {
                if let value = known.first(where: { $0.displayText == text }) { values.append(value) } else { missing.append(text) }
            }
            warnings.append(["qState": "$", "qField": selection.field, "qVerifyResult": missing.isEmpty ? "FIELD_VALUE_MATCH_ALL" : "FIELD_VALUE_MISSING",
                             "qMissingValues": missing])
            if !values.isEmpty { chosen[selection.field] = values }
        }
        if selections.apply(chosen) { markAllObjectsChanged() }
        return (true, warnings)
    }

    /// `FieldValue`: a selected value as text, with its number when it reads as one.
    static func fieldValue(_ text: String) -> [String: Any] {
        if let number = Double(text) { return ["qText": text, "qIsNumeric": true, "qNumber": number] }
        return ["qText": text, "qIsNumeric": false]
    }
}
