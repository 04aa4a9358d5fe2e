import Foundation
import QVD

/// One engine (QIX) session: the JSON-RPC 2.0 conversation a client has
/// over a WebSocket at /app/{appId}. Pure request-in, response-out, so it is
/// tested without a socket; ``EngineRoutes`` moves the messages.
struct EngineSession {
    struct RPCError: Error {
        let code: Int
        let parameter: String
        let message: String
    }

    /// The most cells one GetHyperCubeData call may ask for, as Qlik's engine allows.
    static let maximumCells = 10_000
    static let globalHandle = -1
    static let docHandle = 1

    let tenant: Tenant
    let appID: String
    let userID: String
    private var openDoc: (id: String, isSessionApp: Bool)?
    private var sessionScript = ""
    private var sessionModel = DataModel()
    private var objects: [Int: HyperCube] = [:]
    private var nextHandle = 2

    init(tenant: Tenant, appID: String, userID: String) {
        self.tenant = tenant
        self.appID = appID
        self.userID = userID
    }

    /// What the engine says first on a new socket.
    static var onConnected: [String: Any] { ["jsonrpc": "2.0", "method": "OnConnected", "params": ["qSessionState": "SESSION_CREATED"]] }

    /// Answers one request message; notifications (no id) get no answer.
    mutating func handle(_ message: [String: Any]) async -> [String: Any]? {
        // JSON-RPC ids are numbers or strings; keep them as Swift values so they are written back as they came.
        let id: Any? = (message["id"] as? Int).map { $0 as Any } ?? (message["id"] as? String).map { $0 as Any }
        guard let method = message["method"] as? String else {
            return id.map { ["jsonrpc": "2.0", "id": $0, "error": ["code": -32600, "parameter": "", "message": "Invalid Request"]] }
        }
        let handle = (message["handle"] as? Int) ?? Self.globalHandle
        let params = Params(message["params"])
        do {
            let result = try await dispatch(method: method, handle: handle, params: params)
            guard let id else { return nil }
            return ["jsonrpc": "2.0", "id": id, "result": result]
        } catch let error as RPCError {
            guard let id else { return nil }
            return ["jsonrpc": "2.0", "id": id, "error": ["code": error.code, "parameter": error.parameter, "message": error.message]]
        } catch {
            guard let id else { return nil }
            return ["jsonrpc": "2.0", "id": id, "error": ["code": -32603, "parameter": "", "message": "\(error)"]]
        }
    }

    private mutating func dispatch(method: String, handle: Int, params: Params) async throws -> [String: Any] {
        switch (handle, method) {
        case (Self.globalHandle, "EngineVersion"):
            return ["qVersion": ["qComponentVersion": "12.2100.0"]]
        case (Self.globalHandle, "OpenDoc"):
            let requested = params.string(0, "qDocName") ?? ""
            guard requested == appID, await tenant.app(appID) != nil else {
                throw RPCError(code: 1002, parameter: requested, message: "App not found")
            }
            openDoc = (appID, false)
            return ["qReturn": ["qType": "Doc", "qHandle": Self.docHandle, "qGenericId": appID]]
        case (Self.globalHandle, "CreateSessionApp"):
            let id = "SessionApp_" + Identifier.uuid()
            openDoc = (id, true)
            sessionScript = ""
            sessionModel = DataModel()
            return ["qReturn": ["qType": "Doc", "qHandle": Self.docHandle, "qGenericId": id], "qSessionAppId": id]
        case (Self.globalHandle, _):
            throw RPCError(code: -32601, parameter: method, message: "Method not found")
        case (Self.docHandle, _):
            guard openDoc != nil else { throw RPCError(code: -32602, parameter: "handle", message: "Invalid handle") }
            return try await docMethod(method, params)
        default:
            guard let cube = objects[handle] else { throw RPCError(code: -32602, parameter: "handle", message: "Invalid handle") }
            return try objectMethod(method, cube, handle: handle, params)
        }
    }

    private func model() async -> DataModel {
        if openDoc?.isSessionApp == true { return sessionModel }
        return await tenant.app(appID)?.dataModel ?? DataModel()
    }

    private mutating func docMethod(_ method: String, _ params: Params) async throws -> [String: Any] {
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
        case "CreateSessionObject":
            let definition = params.object(0, "qProp") ?? [:]
            let cube: HyperCube
            if openDoc?.isSessionApp == true {
                cube = try HyperCube(definition: definition, model: sessionModel)
            } else {
                let plan = try HyperCube.Plan(definition: definition, model: await model())
                var indexes: [ColumnIndex] = []
                for field in plan.fields { indexes.append(await tenant.columnIndex(appID: appID, table: plan.table.name, field: field)) }
                cube = HyperCube(plan: plan, indexes: indexes)
            }
            let handle = nextHandle
            nextHandle += 1
            objects[handle] = cube
            return ["qReturn": ["qType": "GenericObject", "qHandle": handle, "qGenericType": cube.type, "qGenericId": cube.id]]
        case "DestroySessionObject":
            let id = params.string(0, "qId") ?? ""
            let handles = objects.filter { $0.value.id == id }.map(\.key)
            handles.forEach { objects[$0] = nil }
            return ["qSuccess": !handles.isEmpty]
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
            let files = await tenant.dataFileLibrary(appSpaceID: app?.spaceID)
            switch LoadScript(dataFile: files.content).run(isSessionApp ? sessionScript : app?.script ?? "") {
            case .success(let (model, _)):
                if isSessionApp { sessionModel = model } else { await tenant.setDataModel(appID, model) }
                return ["qReturn": true]
            case .failure:
                if !isSessionApp { await tenant.markReloadFailed(appID) }
                return ["qReturn": false]
            }
        case "DoSave":
            return [:]
        default:
            throw RPCError(code: -32601, parameter: method, message: "Method not found")
        }
    }

    private func objectMethod(_ method: String, _ cube: HyperCube, handle: Int, _ params: Params) throws -> [String: Any] {
        switch method {
        case "GetLayout":
            return ["qLayout": cube.layout]
        case "GetHyperCubeData":
            let pages = params.array(1, "qPages") ?? []
            let areas = pages.compactMap { $0 as? [String: Any] }.map {
                (top: $0["qTop"] as? Int ?? 0, left: $0["qLeft"] as? Int ?? 0, width: $0["qWidth"] as? Int ?? 0, height: $0["qHeight"] as? Int ?? 0)
            }
            let cells = areas.reduce(0) { $0 + max(0, $1.width) * max(0, $1.height) }
            guard cells <= Self.maximumCells else {
                throw RPCError(code: 7009, parameter: "qPages", message: "Calculation pages too large: \(cells) cells requested, at most \(Self.maximumCells)")
            }
            return ["qDataPages": areas.map { cube.page(top: $0.top, left: $0.left, width: $0.width, height: $0.height) }]
        default:
            throw RPCError(code: -32601, parameter: method, message: "Method not found")
        }
    }
}

/// JSON-RPC params, given by position or by name.
struct Params {
    let raw: Any?
    init(_ raw: Any?) { self.raw = raw }

    func value(_ index: Int, _ name: String) -> Any? {
        if let array = raw as? [Any] { return index < array.count ? array[index] : nil }
        return (raw as? [String: Any])?[name]
    }

    func string(_ index: Int, _ name: String) -> String? { value(index, name) as? String }
    func int(_ index: Int, _ name: String) -> Int? { value(index, name) as? Int }
    func object(_ index: Int, _ name: String) -> [String: Any]? { value(index, name) as? [String: Any] }
    func array(_ index: Int, _ name: String) -> [Any]? { value(index, name) as? [Any] }
}
