import QVD

/// The current selections as a layout shows them (`qSelectionObjectDef` -> `qSelectionObject`): each field with
/// selections, its selected values, counts and lock, and the Back/Forward counts.
extension EngineConversation {
    /// How many selected values a selection item names before it says "N of M" instead, as the engine's default.
    static let selectionThreshold = 6

    mutating func currentSelectionsLayout() async -> [String: Any] {
        let index = await associativeIndex()
        let fields = selections.current.values.keys.compactMap { index.fieldNumber[$0] }.sorted()
        let items: [[String: Any]] = fields.enumerated().map { position, number in
            let field = index.fields[number]
            let states = selections.states(of: number, in: index)
            let chosen = field.values.indices.filter { [.selected, .locked, .excludedSelected, .excludedLocked].contains(states[$0]) }
            let texts = chosen.map { field.values[$0].displayText ?? "" }
            return [
                "qField": field.name, "qReadableName": field.name, "qTotal": field.cardinal, "qSelectedCount": chosen.count,
                "qSelected": chosen.count <= Self.selectionThreshold ? texts.joined(separator: ", ") : "\(chosen.count) of \(field.cardinal)",
                "qIsNum": chosen.allSatisfy { field.values[$0].number != nil }, "qLocked": selections.current.locked.contains(field.name),
                "qOneAndOnlyOne": false, "qTextSearch": "", "qSortIndex": position, "qStateCounts": Self.stateCounts(states),
                "qSelectedFieldSelectionInfo": texts.map { ["qName": $0, "qFieldSelectionMode": "NORMAL"] },
                "qNotSelectedFieldSelectionInfo": [Any](), "qRangeInfo": [Any](), "qSelectionThreshold": Self.selectionThreshold,
                "qIsHidden": false, "qDimensionReferences": [Any](),
            ]
        }
        return ["qBackCount": selections.back.count, "qForwardCount": selections.forward.count, "qSelections": items, "qStateName": "$"]
    }
}
