import Foundation

/// The Doc class: the open app, its data model, script and the objects in it.
extension EngineConversation {
    mutating func docMethod(_ method: String, _ params: Params) async throws -> [String: Any] {
        switch method {
        case "GetTablesAndKeys":
            if openDoc?.isSessionApp == true { return EngineViews.tablesAndKeys(sessionModel) }
            // Counting distinct values reads every cell: the tenant keeps the answer per data model.
            let cached = await tenant.tablesAndKeys(appID: appID)
            return ["qtr": cached.tables, "qk": cached.keys]
        case "GetTableData":
            let offset = params.int(0, "qOffset") ?? 0, rows = params.int(1, "qRows") ?? 0
            let name = params.string(3, "qTableName") ?? ""
            guard let table = await model().table(name) else { throw RPCError(code: 1001, parameter: name, message: "Table not found") }
            guard offset >= 0, rows >= 0 else { throw RPCError(code: 2, parameter: "qOffset", message: "Invalid parameters") }
            return ["qData": EngineViews.tableData(table, offset: offset, rows: rows)]
        case "GetScript":
            if openDoc?.isSessionApp == true { return ["qScript": sessionScript] }
            return ["qScript": await tenant.app(appID)?.script ?? ""]
        case "SetScript":
            let script = params.string(0, "qScript") ?? ""
            if openDoc?.isSessionApp == true { sessionScript = script } else { _ = await tenant.setScript(appID, script: script, message: "SetScript", userID: userID) }
            return [:]
        case "DoReload":
            let isSessionApp = openDoc?.isSessionApp == true
            let app = isSessionApp ? nil : await tenant.app(appID)
            let files = await tenant.dataFileLibrary(appSpaceID: app?.spaceID, readerID: userID)
            switch LoadScript(dataFile: files.content).run(isSessionApp ? sessionScript : app?.script ?? "") {
            case .success(let (model, _)):
                if isSessionApp { sessionModel = model } else { await tenant.setDataModel(appID, model) }
                // New data: every open object's layout may differ, as after a reload in the engine.
                markAllObjectsChanged()
                return ["qReturn": true]
            case .failure:
                if !isSessionApp { await tenant.markReloadFailed(appID) }
                return ["qReturn": false]
            }
        case "DoSave":
            return [:]
        default:
            if let answer = try await docSelectionMethod(method, params) { return answer }
            if let answer = try await docAppContentMethod(method, params) { return answer }
            throw RPCError.methodNotFound(method)
        }
    }
}
