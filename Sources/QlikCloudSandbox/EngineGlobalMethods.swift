import Foundation

/// The Global class: what a socket can call before and beside its document.
extension EngineConversation {
    /// The engine release the sandbox answers as (EngineVersion, ProductVersion): the 12.x line the schema describes.
    static let engineVersion = "12.2100.0"

    mutating func globalMethod(_ method: String, _ params: Params) async throws -> [String: Any] {
        switch method {
        case "EngineVersion":
            return ["qVersion": ["qComponentVersion": Self.engineVersion]]
        case "ProductVersion":
            return ["qReturn": Self.engineVersion]
        case "QTProduct":
            return ["qReturn": "Qlik Sense"]
        case "OSName":
            // Qlik Cloud's engines run on Linux, whatever the sandbox's host is.
            return ["qReturn": "linux"]
        case "OSVersion":
            return ["qReturn": "Linux"]
        case "IsDesktopMode":
            return ["qReturn": false]
        case "AllowCreateApp":
            return ["qReturn": true]
        case "GetAuthenticatedUser":
            // The engine's documented form; on Qlik Cloud the user id is the user's subject from the identity provider.
            let subject = await tenant.users[userID]?.subject ?? userID
            return ["qReturn": "UserDirectory=; UserId=\(subject)"]
        case "GetUniqueID":
            return ["qUniqueID": Identifier.uuid()]
        case "GetDocList":
            return ["qDocList": await docList()]
        case "GetSupportedCodePages":
            // The sandbox's load script reads text files as UTF-8 only.
            return ["qCodePages": [["qNumber": 65001, "qName": "UTF-8", "qDescription": "Unicode (UTF-8)"]]]
        case "GetCustomConnectors":
            // A sandbox tenant has no custom connectors installed.
            return ["qConnectors": [Any]()]
        case "GetActiveDoc":
            guard let openDoc else { throw RPCError(code: 1017, parameter: "", message: "App not open: no app is open on this socket; call OpenDoc first") }
            return ["qReturn": ["qType": "Doc", "qHandle": Self.docHandle, "qGenericId": openDoc.id]]
        case "OpenDoc":
            let requested = params.string(0, "qDocName") ?? ""
            if let openDoc { throw RPCError(code: 1002, parameter: requested, message: "App already open: this socket has \(openDoc.id) open") }
            // An app the caller does not see (another user's personal app, a space it is no member of) is one that does not exist.
            guard requested == appID, await tenant.engineMayOpen(appID, userID: userID) else {
                throw RPCError(code: 1003, parameter: requested, message: "App not found: this socket is for app \(appID); open it with OpenDoc(\"\(appID)\")")
            }
            openDoc = (appID, false)
            return ["qReturn": ["qType": "Doc", "qHandle": Self.docHandle, "qGenericId": appID]]
        case "CreateSessionApp":
            if let openDoc { throw RPCError(code: 1002, parameter: "", message: "App already open: this socket has \(openDoc.id) open") }
            let id = "SessionApp_" + Identifier.uuid()
            openDoc = (id, true)
            sessionScript = ""
            sessionModel = DataModel()
            return ["qReturn": ["qType": "Doc", "qHandle": Self.docHandle, "qGenericId": id], "qSessionAppId": id]
        default:
            throw RPCError.methodNotFound(method)
        }
    }

    /// The apps the user can see (ContentAccess), as DocListEntry: those of the spaces the user sees, and the user's own personal apps.
    private func docList() async -> [[String: Any]] {
        guard let user = await tenant.users[userID] else { return [] }
        let apps = await tenant.visibleApps(to: user)
        return apps.map { app in
            var entry: [String: Any] = [
                "qDocName": app.name, "qDocId": app.id, "qTitle": app.name, "qConnectedUsers": 0,
                "qFileTime": Self.serialDate(app.updatedAt),
                "qMeta": ["description": app.description], "qThumbnail": ["qUrl": ""],
                "qHasSectionAccess": false, "qIsDirectQueryMode": false, "qUsage": "ANALYTICS",
            ]
            if let reloaded = app.lastReloadTime { entry["qLastReloadTime"] = Self.isoTime(reloaded) }
            return entry
        }
    }

    /// A time as Qlik's serial date: days since 1899-12-30, the day fraction the time of day.
    static func serialDate(_ date: Date) -> Double {
        date.timeIntervalSince1970 / 86_400 + 25_569
    }

    static func isoTime(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
