import Foundation
import QVD

/// The Field class: one field of the open app, its values and the selections in it.
extension EngineConversation {
    /// A Field handle works in the state it was opened in (GetField's qStateName).
    mutating func fieldMethod(_ method: String, handle: Int, field name: String, _ params: Params) async throws -> [String: Any] {
        try await inSelectionState(selections.handleStates[handle]) { try await $0.fieldStateMethod(method, field: name, params) }
    }

    private mutating func fieldStateMethod(_ method: String, field name: String, _ params: Params) async throws -> [String: Any] {
        let (index, number) = try await field(named: name)
        let field = index.fields[number]
        switch method {
        case "GetCardinal":
            return ["qReturn": field.cardinal]
        case "GetAndMode":
            // The sandbox's fields are all OR fields, as every field is until a script declares AND mode.
            return ["qReturn": false]
        case "GetNxProperties":
            return ["qProperties": ["qOneAndOnlyOne": false]]
        case "Select", "ToggleSelect":
            let match = params.string(0, "qMatch") ?? ""
            let softLock = params.value(1, "qSoftLock") as? Bool ?? false
            let includeExcluded = (params.int(2, "qExcludedValuesMode") ?? 0) != 0
            let states = selections.states(of: number, in: index)
            let matcher = FieldSearch(match)
            let matched = field.values.indices.filter { element in
                (includeExcluded || ![.excluded, .excludedSelected, .excludedLocked].contains(states[element])) && matcher.matches(field.values[element])
            }.map { field.values[$0] }
            return ["qReturn": select(matched, in: name, toggle: method == "ToggleSelect", softLock: softLock)]
        case "SelectValues":
            let requested = (params.array(0, "qFieldValues") ?? []).compactMap { $0 as? [String: Any] }
            let toggle = params.value(1, "qToggleMode") as? Bool ?? false
            let softLock = params.value(2, "qSoftLock") as? Bool ?? false
            let matched = requested.flatMap { Self.values(matching: $0, in: field) }
            return ["qReturn": select(matched, in: name, toggle: toggle, softLock: softLock)]
        case "LowLevelSelect":
            let elements = (params.array(0, "qValues") ?? []).compactMap { $0 as? Int }
            let toggle = params.value(1, "qToggleMode") as? Bool ?? false
            let softLock = params.value(2, "qSoftLock") as? Bool ?? false
            let values = elements.filter { field.values.indices.contains($0) }.map { field.values[$0] }
            return ["qReturn": select(values, in: name, toggle: toggle, softLock: softLock)]
        case "SelectAll", "SelectPossible", "SelectExcluded", "SelectAlternative":
            let softLock = params.value(0, "qSoftLock") as? Bool ?? false
            let wanted = Self.fieldStatesChosen(by: method)
            let states = selections.states(of: number, in: index)
            let values = field.values.indices.filter { wanted.contains(states[$0]) }.map { field.values[$0] }
            return ["qReturn": select(values, in: name, toggle: false, softLock: softLock)]
        case "ClearAllButThis":
            let softLock = params.value(0, "qSoftLock") as? Bool ?? false
            changeSelections { state in
                state.values = state.values.filter { $0.key == name || (!softLock && state.locked.contains($0.key)) }
            }
            return ["qReturn": true]
        case "Clear":
            guard !selections.current.locked.contains(name) else { return ["qReturn": false] }
            changeSelections { $0.values[name] = nil }
            return ["qReturn": true]
        case "Lock":
            changeSelections { $0.locked.insert(name) }
            return ["qReturn": true]
        case "Unlock":
            changeSelections { $0.locked.remove(name) }
            return ["qReturn": true]
        default:
            throw RPCError.methodNotFound(method)
        }
    }

    /// The values a FieldValue names: by number when it says it is numeric, by text otherwise.
    static func values(matching requested: [String: Any], in field: AssociativeIndex.Field) -> [QlikValue] {
        if requested["qIsNumeric"] as? Bool == true, let number = (requested["qNumber"] as? NSNumber)?.doubleValue {
            return field.values.filter { $0.number == number }
        }
        let text = requested["qText"] as? String ?? ""
        return field.values.filter { $0.displayText == text }
    }

    /// Which states a SelectAll/Possible/Excluded/Alternative call selects. SelectExcluded inverts the selection,
    /// so it takes the alternative values too.
    static func fieldStatesChosen(by method: String) -> Set<AssociativeInference.State> {
        switch method {
        case "SelectPossible": [.optional, .selected, .locked]
        case "SelectExcluded": [.excluded, .alternative]
        case "SelectAlternative": [.alternative]
        default: [.optional, .selected, .locked, .excluded, .alternative, .excludedSelected, .excludedLocked]
        }
    }
}
