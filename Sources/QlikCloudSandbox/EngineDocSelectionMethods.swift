import Foundation
import QVD

/// The Doc class's selection and evaluation methods: fields, Clear/Lock of all fields, Back/Forward, and
/// expressions evaluated over what the selections leave possible.
extension EngineConversation {
    /// Answers the Doc methods of selections and evaluation; nil for any other method, so the Doc's dispatch goes on.
    mutating func docSelectionMethod(_ method: String, _ params: Params) async throws -> [String: Any]? {
        switch method {
        case "GetField":
            let name = params.string(0, "qFieldName") ?? ""
            let state = params.string(1, "qStateName").flatMap { $0.isEmpty || $0 == "$" ? nil : $0 }
            _ = try await field(named: name)
            if let state, selections.alternates[state] == nil {
                throw RPCError(code: -32602, parameter: "qStateName", message: "No alternate state '\(state)': add it with AddSessionAlternateState first")
            }
            if let existing = handles.first(where: { entry in
                if case .field(name) = entry.value { selections.handleStates[entry.key] == state } else { false }
            }) {
                return ["qReturn": ["qType": "Field", "qHandle": existing.key, "qGenericId": name]]
            }
            let opened = open(.field(name: name), type: "Field", genericID: name)
            if let handle = opened["qHandle"] as? Int { selections.handleStates[handle] = state }
            return ["qReturn": opened]
        case "AddSessionAlternateState":
            let name = params.string(0, "qStateName") ?? ""
            guard !name.isEmpty, name != "$" else {
                throw RPCError(code: -32602, parameter: "qStateName", message: "An alternate state needs a name other than '' and '$' (the default state)")
            }
            let source = params.string(1, "qSourceStateName").flatMap { $0.isEmpty || $0 == "$" ? nil : $0 }
            guard selections.alternates[name] == nil else { return [:] }
            var state = SelectionState()
            // A new state starts from its source state's selections (none when it names no source).
            if params.string(1, "qSourceStateName") != nil {
                let start = try await inSelectionState(source) { $0.selections.current }
                state.update { $0 = start }
            }
            selections.alternates[name] = state
            return [:]
        case "RemoveSessionAlternateState":
            let name = params.string(0, "qStateName") ?? ""
            guard selections.alternates.removeValue(forKey: name) != nil else { return ["qSuccess": false] }
            selections.handleStates = selections.handleStates.filter { $0.value != name }
            markAllObjectsChanged()
            return ["qSuccess": true]
        case "ClearAll":
            let lockedAlso = params.value(0, "qLockedAlso") as? Bool ?? false
            try await inSelectionState(params.string(1, "qStateName")) { session in
                session.changeSelections { state in
                    if lockedAlso { state = SelectionState.Selections() } else { state.values = state.values.filter { state.locked.contains($0.key) } }
                }
            }
            return [:]
        case "LockAll", "UnlockAll":
            try await inSelectionState(params.string(0, "qStateName")) { session in
                session.changeSelections { state in if method == "LockAll" { state.locked.formUnion(state.values.keys) } else { state.locked = [] } }
            }
            return [:]
        case "Back", "Forward":
            if method == "Back" ? selections.goBack() : selections.goForward() { markAllObjectsChanged() }
            return [:]
        case "BackCount":
            return ["qReturn": selections.back.count]
        case "ForwardCount":
            return ["qReturn": selections.forward.count]
        case "GetFieldDescription":
            let name = params.string(0, "qFieldName") ?? ""
            let (index, number) = try await field(named: name)
            return ["qReturn": fieldDescription(index.fields[number], number: number, index: index)]
        case "Evaluate", "EvaluateEx":
            let value: QlikValue
            do {
                value = try await evaluate(params.string(0, "qExpression") ?? "")
            } catch {
                // The engine answers a bad expression with its error as the result's text, not as a failed call.
                let text = "Error: \(error.message)"
                return method == "Evaluate" ? ["qReturn": text] : ["qValue": ["qText": text, "qIsNumeric": false, "qNumber": 0]]
            }
            let text = value.isNull ? "-" : value.displayText ?? ""
            if method == "Evaluate" { return ["qReturn": text] }
            return ["qValue": ["qText": text, "qIsNumeric": value.number != nil, "qNumber": value.number ?? 0]]
        case "CheckExpression", "CheckNumberOrExpression":
            let text = params.string(0, "qExpr") ?? ""
            if method == "CheckNumberOrExpression", Double(text.trimmingCharacters(in: .whitespaces)) != nil {
                return ["qErrorMsg": "", "qBadFieldNames": [Any]()]
            }
            var answer: [String: Any] = ["qErrorMsg": "", "qBadFieldNames": [Any]()]
            if method == "CheckExpression" { answer["qDangerousFieldNames"] = [Any]() }
            do {
                let expression = try ChartExpression.parse(text)
                let unknown = ChartEvaluator.unknownFields(expression, in: await associativeIndex())
                if !unknown.isEmpty {
                    answer["qErrorMsg"] = "Bad field name(s): \(unknown.joined(separator: ", "))"
                    answer["qBadFieldNames"] = unknown.map { name in Self.range(of: name, in: text) }
                }
            } catch {
                answer["qErrorMsg"] = error.message
            }
            return answer
        case "GetFieldsFromExpression":
            do {
                return ["qFieldNames": try ChartExpression.parse(params.string(0, "qExpr") ?? "").fields]
            } catch {
                throw RPCError(code: 2, parameter: "qExpr", message: "Invalid expression: \(error.message)")
            }
        default:
            return try await docSearchMethod(method, params)
        }
    }

    /// Evaluates an expression over the rows the current selections leave possible.
    mutating func evaluate(_ text: String) async throws(ExpressionError) -> QlikValue {
        let expression: ChartExpression
        do { expression = try ChartExpression.parse(text) } catch { throw ExpressionError(message: error.message) }
        let inference = await inference()
        do {
            return try ChartEvaluator(index: inference.index, possibleRows: inference.possibleRows).evaluate(expression)
        } catch {
            throw ExpressionError(message: error.message)
        }
    }

    /// Why an expression could not be evaluated, as the engine words it after "Error: ".
    struct ExpressionError: Error {
        let message: String
    }

    /// Where a field name stands in an expression (NxRange: start and length), for CheckExpression's bad field names.
    private static func range(of name: String, in text: String) -> [String: Int] {
        guard let found = text.range(of: name) else { return ["qFrom": 0, "qCount": 0] }
        return ["qFrom": text.distance(from: text.startIndex, to: found.lowerBound), "qCount": name.count]
    }

    /// A FieldDescription: what the engine knows of a field (its possible count is obsolete in the schema and left out).
    private func fieldDescription(_ field: AssociativeIndex.Field, number: Int, index: AssociativeIndex) -> [String: Any] {
        let numeric = field.values.allSatisfy { $0.number != nil }
        let rows = field.tables.reduce(0) { $0 + index.tables[$1.table].rowCount }
        return [
            "qInternalNumber": number, "qName": field.name, "qSrcTables": field.tables.map { index.tables[$0.table].name },
            "qIsSystem": false, "qIsHidden": false, "qIsSemantic": false, "qDistinctOnly": false,
            "qCardinal": field.cardinal, "qTotalCount": rows, "qIsLocked": selections.current.locked.contains(field.name), "qAlwaysOneSelected": false,
            "qAndMode": false, "qIsNumeric": numeric && !field.values.isEmpty, "qComment": "",
            "qTags": EngineViews.tags(field.values), "qIsDefinitionOnly": false,
            "qByteSize": field.values.reduce(0) { $0 + ($1.displayText?.utf8.count ?? 0) + 8 },
        ]
    }
}
