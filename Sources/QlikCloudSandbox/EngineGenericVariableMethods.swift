import Foundation

/// The GenericVariable class: a variable's definition and its value.
extension EngineConversation {
    mutating func genericVariableMethod(_ method: String, id: String, handle: Int, _ params: Params) async throws -> [String: Any] {
        let variable = try await requireObject(id)
        switch method {
        case "GetLayout":
            let value = await variableValue(variable)
            var layout: [String: Any] = ["qInfo": Self.info(variable), "qMeta": meta(variable), "qText": value.text, "qIsScriptCreated": false]
            if let number = value.number { layout["qNum"] = number }
            return ["qLayout": layout]
        case "GetRawContent":
            return ["qReturn": variable.properties["qDefinition"]?.string ?? ""]
        case "GetProperties":
            return ["qProp": variable.properties.dictionary]
        case "GetInfo":
            return ["qInfo": Self.info(variable)]
        case "SetProperties":
            return try await setItemProperties(variable, params)
        case "ApplyPatches":
            return try await patchItem(variable, params)
        default:
            throw RPCError.methodNotFound(method)
        }
    }

    /// A variable's value: its definition as written, or what the expression after `=` evaluates to.
    func variableValue(_ variable: AppObject) async -> (text: String, number: Double?) {
        let definition = variable.properties["qDefinition"]?.string ?? ""
        guard definition.hasPrefix("=") else { return (definition, Double(definition.trimmingCharacters(in: .whitespaces))) }
        var session = self
        do {
            let result = try await session.docMethod("EvaluateEx", Params(["qExpression": String(definition.dropFirst())]))
            let value = result["qValue"] as? [String: Any]
            return (value?["qText"] as? String ?? "", value?["qIsNumeric"] as? Bool == true ? value?["qNumber"] as? Double : nil)
        } catch {
            // An expression the engine cannot evaluate shows its definition, as a variable with a broken expression does in Qlik.
            return (definition, nil)
        }
    }
}
