import Foundation
import QVD

/// A list object (`qListObjectDef`): one field's values with their states, as a filter pane shows them,
/// sorted as its first qSortCriterias asks (by default: selected first, then possible, alternative,
/// excluded; within a state in load order).
struct ListObject {
    let field: String
    private let byState: Int
    private let byNumeric: Int
    private let byText: Int
    private let byLoadOrder: Int
    let initialPages: [[String: Any]]

    init(definition: [String: Any]) throws {
        let def = definition["qDef"] as? [String: Any]
        guard let name = (def?["qFieldDefs"] as? [String])?.first.map(LoadScript.unquote), !name.isEmpty else {
            throw EngineConversation.RPCError(code: -32602, parameter: "qListObjectDef", message: "qListObjectDef.qDef.qFieldDefs needs the name of a field")
        }
        field = name
        let sort = (def?["qSortCriterias"] as? [[String: Any]])?.first
        byState = sort?["qSortByState"] as? Int ?? 1
        byNumeric = sort?["qSortByNumeric"] as? Int ?? 0
        byText = sort?["qSortByAscii"] as? Int ?? 0
        byLoadOrder = sort?["qSortByLoadOrder"] as? Int ?? 1
        initialPages = (definition["qInitialDataFetch"] as? [[String: Any]]) ?? []
    }

    /// The field's elements in display order.
    func order(_ field: AssociativeIndex.Field, states: [AssociativeInference.State]) -> [Int] {
        func rank(_ state: AssociativeInference.State) -> Int {
            switch state {
            case .selected, .locked: 0
            case .optional: 1
            case .alternative: 2
            case .excluded, .excludedSelected, .excludedLocked: 3
            }
        }
        return field.values.indices.sorted { left, right in
            if byState != 0, rank(states[left]) != rank(states[right]) { return (rank(states[left]) < rank(states[right])) == (byState > 0) }
            if byNumeric != 0, let a = field.values[left].number, let b = field.values[right].number, a != b { return (a < b) == (byNumeric > 0) }
            if byText != 0 {
                let a = field.values[left].displayText ?? "", b = field.values[right].displayText ?? ""
                if a != b { return (a.localizedStandardCompare(b) == .orderedAscending) == (byText > 0) }
            }
            return (left < right) == (byLoadOrder >= 0)
        }
    }

    func layout(_ field: AssociativeIndex.Field, states: [AssociativeInference.State], order: [Int]) -> [String: Any] {
        [
            "qListObject": [
                "qSize": ["qcx": 1, "qcy": order.count],
                "qDimensionInfo": [
                    "qFallbackTitle": field.name, "qGroupFieldDefs": [field.name], "qCardinal": field.cardinal,
                    "qTags": EngineViews.tags(field.values), "qSortIndicator": "A", "qIsSemantic": false,
                    "qLocked": states.contains(.locked) || states.contains(.excludedLocked),
                    "qStateCounts": EngineConversation.stateCounts(states),
                ] as [String: Any],
                "qExpressions": [Any](),
                "qDataPages": initialPages.map { page(field, states: states, order: order, top: $0["qTop"] as? Int ?? 0, height: $0["qHeight"] as? Int ?? 0) },
            ] as [String: Any],
        ]
    }

    /// One page of the list: a column of cells (NxCell) clipped to the list.
    func page(_ field: AssociativeIndex.Field, states: [AssociativeInference.State], order: [Int], top: Int, height: Int) -> [String: Any] {
        let top = max(0, min(top, order.count)), bottom = top + min(max(0, height), order.count - top)
        let matrix: [[[String: Any]]] = order[top..<bottom].map { element in
            let value = field.values[element]
            return [["qText": value.displayText ?? "", "qNum": value.number.map { $0 as Any } ?? "NaN", "qElemNumber": element,
                     "qState": states[element].rawValue]]
        }
        return ["qMatrix": matrix, "qTails": [Any](), "qArea": ["qTop": top, "qLeft": 0, "qWidth": bottom > top ? 1 : 0, "qHeight": bottom - top]]
    }
}
