import QVD

/// How the session's engine methods reach the associative model: the open
/// app's index, what the selections leave possible, and the one place a
/// selection change is announced.
extension EngineConversation {
    mutating func associativeIndex() async -> AssociativeIndex {
        selections.index(of: await model())
    }

    mutating func inference() async -> AssociativeInference {
        selections.inference(await associativeIndex())
    }

    /// The index and number of a field of the open app, or the engine's "Field not found" error.
    mutating func field(named name: String) async throws -> (index: AssociativeIndex, number: Int) {
        let index = await associativeIndex()
        guard let number = index.fieldNumber[name] else {
            throw RPCError(code: 1001, parameter: name, message: "Field not found: '\(name)' is no field of the app's data model")
        }
        return (index, number)
    }

    /// Runs `body` on the selections of the alternate state `name`; the default state (`$`) for nil, "" or "$".
    @discardableResult
    mutating func inSelectionState<T>(_ name: String?, _ body: (inout EngineConversation) async throws -> T) async throws -> T {
        guard let name, !name.isEmpty, name != "$" else { return try await body(&self) }
        var main = selections
        guard let alternate = main.alternates.removeValue(forKey: name) else {
            throw RPCError(code: -32602, parameter: "qStateName", message: "No alternate state '\(name)': add it with AddSessionAlternateState first")
        }
        // The alternate state stands in for the default one while `body` runs, then goes back under its name.
        selections = alternate
        do {
            let result = try await body(&self)
            main.alternates[name] = selections
            selections = main
            return result
        } catch {
            main.alternates[name] = selections
            selections = main
            throw error
        }
    }

    /// Changes the selections; when something changed, every open object's layout is stale and goes in the answer's `change`.
    @discardableResult
    mutating func changeSelections(_ change: (inout SelectionState.Selections) -> Void) -> Bool {
        guard selections.update(change) else { return false }
        markAllObjectsChanged()
        return true
    }

    /// Selects `values` in `field` (replacing its selection, or toggling each with `toggle`), unless the field is
    /// locked and `softLock` does not override it. Answers false when the field is locked.
    mutating func select(_ values: [QlikValue], in field: String, toggle: Bool, softLock: Bool) -> Bool {
        guard softLock || !selections.current.locked.contains(field) else { return false }
        changeSelections { state in
            if toggle {
                var chosen = state.values[field] ?? []
                for value in values {
                    if let position = chosen.firstIndex(of: value) { chosen.remove(at: position) } else { chosen.append(value) }
                }
                state.values[field] = chosen
            } else {
                state.values[field] = values
            }
        }
        return true
    }
}
