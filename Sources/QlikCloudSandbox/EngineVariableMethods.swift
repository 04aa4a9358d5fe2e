import Foundation

/// The Variable class: the older interface to a variable (`GetVariable`), by content and number presentation.
extension EngineConversation {
    mutating func variableMethod(_ method: String, id: String, _ params: Params) async throws -> [String: Any] {
        let variable = try await requireObject(id)
        switch method {
        case "GetContent":
            let value = await variableValue(variable)
            return ["qContent": ["qString": value.text, "qIsNum": value.number != nil]]
        case "GetRawContent":
            return ["qReturn": variable.properties["qDefinition"]?.string ?? ""]
        case "GetNxProperties":
            let presentation = variable.properties["qNumberPresentation"]?.dictionary
                ?? ["qType": "U", "qnDec": 10, "qUseThou": 0, "qFmt": "", "qDec": "", "qThou": ""]
            return ["qProperties": ["qName": variable.properties["qName"]?.string ?? "", "qNumberPresentation": presentation,
                                    "qIncludeInBookmark": variable.properties["qIncludeInBookmark"]?.bool ?? false,
                                    "qUsePredefListedValues": false, "qPreDefinedList": [String]()]]
        default:
            throw RPCError.methodNotFound(method)
        }
    }
}
