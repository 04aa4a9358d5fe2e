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
    /// The document this socket opened: the tenant's app, or a session app that lives as long as the socket.
    var openDoc: (id: String, isSessionApp: Bool)?
    var sessionScript = ""
    var sessionModel = DataModel()
    /// What each handle the session gave out stands for; the Doc's handle is ``docHandle``, Global's ``globalHandle``.
    var handles: [Int: EngineHandle] = [:]
    /// The data of session hypercubes, by handle: built once per definition, so pages are copies of prepared cells.
    var objects: [Int: HyperCube] = [:]
    var nextHandle = 2
    /// Handles whose layout the current call invalidated: the engine lists them in the answer's `change`, so clients refresh.
    var changed: Set<Int> = []
    /// This session's selections, locks and Back/Forward history (Qlik keeps them per session, not per app).
    var selections = SelectionState()
    /// The list objects (`qListObjectDef`) of session objects, by handle.
    var listObjects: [Int: ListObject] = [:]

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
            changed = []
            let result = try await dispatch(method: method, handle: handle, params: params)
            guard let id else { return nil }
            var answer: [String: Any] = ["jsonrpc": "2.0", "id": id, "result": result]
            if !changed.isEmpty { answer["change"] = changed.sorted() }
            return answer
        } catch let error as RPCError {
            guard let id else { return nil }
            return ["jsonrpc": "2.0", "id": id, "error": ["code": error.code, "parameter": error.parameter, "message": error.message]]
        } catch {
            guard let id else { return nil }
            return ["jsonrpc": "2.0", "id": id, "error": ["code": -32603, "parameter": "", "message": "\(error)"]]
        }
    }

    /// Routes a call to the methods of the class its handle stands for; each class's methods live in their own file.
    private mutating func dispatch(method: String, handle: Int, params: Params) async throws -> [String: Any] {
        if handle == Self.globalHandle { return try await globalMethod(method, params) }
        if handle == Self.docHandle {
            guard openDoc != nil else { throw RPCError.invalidHandle }
            return try await docMethod(method, params)
        }
        guard let target = handles[handle] else { throw RPCError.invalidHandle }
        switch target {
        case .genericObject: return try await genericObjectMethod(method, handle: handle, params)
        case .field(let name): return try await fieldMethod(method, field: name, params)
        }
    }

    /// Gives out the next handle for `target`: the `qReturn` an engine call that opens an object answers with.
    mutating func open(_ target: EngineHandle, type: String, genericID: String) -> [String: Any] {
        let handle = nextHandle
        nextHandle += 1
        handles[handle] = target
        return ["qType": type, "qHandle": handle, "qGenericId": genericID]
    }

    /// Every open object's layout may differ now (selections moved, the data was reloaded): all go in the answer's `change`.
    mutating func markAllObjectsChanged() {
        changed.formUnion(handles.keys)
        if openDoc != nil { changed.insert(Self.docHandle) }
    }

    func model() async -> DataModel {
        if openDoc?.isSessionApp == true { return sessionModel }
        return await tenant.app(appID)?.dataModel ?? DataModel()
    }
}

extension EngineSession.RPCError {
    /// How the engine answers a method its object's class does not offer (or Qlik Cloud does not).
    static func methodNotFound(_ method: String) -> Self { .init(code: -32601, parameter: method, message: "Method not found") }
    static let invalidHandle = Self(code: -32602, parameter: "handle", message: "Invalid handle")
}

/// What a handle of a session stands for: the engine class whose methods it answers, and which object.
enum EngineHandle {
    case genericObject(id: String)
    case field(name: String)
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
