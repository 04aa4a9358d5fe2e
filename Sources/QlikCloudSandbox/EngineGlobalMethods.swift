import Foundation

/// The Global class: what a socket can call before and beside its document.
extension EngineSession {
    mutating func globalMethod(_ method: String, _ params: Params) async throws -> [String: Any] {
        switch method {
        case "EngineVersion":
            return ["qVersion": ["qComponentVersion": "12.2100.0"]]
        case "OpenDoc":
            let requested = params.string(0, "qDocName") ?? ""
            guard requested == appID, await tenant.app(appID) != nil else {
                throw RPCError(code: 1002, parameter: requested, message: "App not found")
            }
            openDoc = (appID, false)
            return ["qReturn": ["qType": "Doc", "qHandle": Self.docHandle, "qGenericId": appID]]
        case "CreateSessionApp":
            let id = "SessionApp_" + Identifier.uuid()
            openDoc = (id, true)
            sessionScript = ""
            sessionModel = DataModel()
            return ["qReturn": ["qType": "Doc", "qHandle": Self.docHandle, "qGenericId": id], "qSessionAppId": id]
        default:
            throw RPCError.methodNotFound(method)
        }
    }
}
