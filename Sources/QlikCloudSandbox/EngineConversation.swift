import Foundation
import QVD

/// One engine (QIX) session: the JSON-RPC 2.0 conversation a client has
/// over a WebSocket at /app/{appId}. Pure request-in, response-out, so it is
/// tested without a socket; ``EngineRoutes`` moves the messages.
struct EngineConversation {
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
    /// Objects that live as long as the socket (CreateSessionObject, CreateSessionVariable).
    var sessionObjects = AppObjects()
    /// A session app's own objects (CreateObject on it): they go with the app, when the socket closes.
    var sessionAppObjects = AppObjects()
    /// Properties changed by soft patches (ApplyPatches with qSoftPatch): this session sees them, the app keeps its own.
    var softPatches: [String: JSONValue] = [:]
    var nextHandle = 2
    /// Handles whose layout the current call invalidated: the engine lists them in the answer's `change`, so clients refresh.
    var changed: Set<Int> = []
    /// This session's selections, locks and Back/Forward history (Qlik keeps them per session, not per app).
    var selections = SelectionState()
    /// The list objects (`qListObjectDef`) of session objects, by handle.
    var listObjects: [Int: ListObject] = [:]
    /// The pivot nodes each object's pivot table has expanded in this session, by handle.
    var pivotExpansions: [Int: PivotExpansion] = [:]
    /// Handles the current call destroyed: the engine lists them in the answer's `close`.
    var closedHandles: Set<Int> = []
    /// The last result of each method called with `"delta": true`, by handle and method, as the base of the next patch:
    /// enigma.js keeps its copy per handle and method (whatever the params), so the engine's base is the same.
    var deltaResults: [Int: [String: [String: Any]]] = [:]
    /// Check every answer against Qlik's engine schema (``SandboxConfiguration/checksEngineAnswers``).
    var checksAnswers: Bool

    init(tenant: Tenant, appID: String, userID: String) {
        self.tenant = tenant
        self.appID = appID
        self.userID = userID
        checksAnswers = tenant.configuration.checksEngineAnswers
    }

    /// What the engine says first on a new socket.
    static var onConnected: [String: Any] { ["jsonrpc": "2.0", "method": "OnConnected", "params": ["qSessionState": "SESSION_CREATED"]] }

    /// Answers one request message; notifications (no id) get no answer. The answer carries the `change` list
    /// (handles whose layout the call invalidated) and the `close` list (handles it destroyed), as the engine's do;
    /// with `"delta": true` each result value is a JSON Patch against the previous result of the same method on the handle.
    mutating func handle(_ message: [String: Any]) async -> [String: Any]? {
        // JSON-RPC ids are numbers or strings, written back exactly as they came: a client may send the same id every time.
        let id = Self.requestID(message["id"])
        func answer(_ body: [String: Any]) -> [String: Any]? { id.map { body.merging(["jsonrpc": "2.0", "id": $0]) { $1 } } }
        guard let method = message["method"] as? String else {
            return answer(["error": ["code": -32600, "parameter": "method", "message": "Invalid Request: a request needs a method name (a string)"]])
        }
        let handle: Int
        switch message["handle"] {
        case nil: handle = Self.globalHandle
        // Int(exactly:) also refuses a whole number beyond Int's range (1e300), which Int(_:) would trap on.
        case let value? where EngineJSON.kind(value) == .number && EngineJSON.number(value).flatMap({ Int(exactly: $0) }) != nil:
            handle = EngineJSON.number(value).flatMap { Int(exactly: $0) } ?? Self.globalHandle
        default:
            return answer(["error": ["code": -32600, "parameter": "handle", "message": "Invalid Request: handle must be an integer (-1 for Global)"]])
        }
        if let params = message["params"], !(params is [Any]), !(params is [String: Any]), !(params is NSNull) {
            return answer(["error": ["code": -32602, "parameter": "params", "message": "Invalid parameters: params must be an array (by position) or an object (by name)"]])
        }
        let params = Params(message["params"])
        changed = []
        closedHandles = []
        do {
            let engineClass = engineClass(of: handle)
            // Without the schema (an executable copied without its resources) parameters go unchecked, unless answers
            // must be checked: then every call answers why the check cannot run.
            let schema: EngineSchema?
            if checksAnswers { schema = try Self.schema() } else { schema = try? EngineSchema.shared.get() }
            if let engineClass, let schema { try schema.checkParameters(of: engineClass, method, params) }
            var result = try await dispatch(method: method, handle: handle, params: params)
            if checksAnswers, let engineClass, let schema {
                let plain = EngineJSON.plain(result) as? [String: Any] ?? [:]
                if let problem = schema.problem(in: plain, of: engineClass, method) {
                    throw RPCError(code: -32603, parameter: method,
                        message: "The sandbox's answer to \(engineClass).\(method) departs from Qlik's engine schema: \(problem)")
                }
            }
            let isDelta = EngineJSON.kind(message["delta"] ?? false) == .boolean && message["delta"] as? Bool == true
            if isDelta { result = delta(result, handle: handle, method: method) }
            var body: [String: Any] = ["result": result]
            // Clients apply patches only to an answer that says it holds them.
            if isDelta { body["delta"] = true }
            let close = closedHandles.sorted()
            let change = changed.subtracting(closedHandles).sorted()
            if !change.isEmpty { body["change"] = change }
            if !close.isEmpty { body["close"] = close }
            return answer(body)
        } catch let error as RPCError {
            return answer(["error": ["code": error.code, "parameter": error.parameter, "message": error.message]])
        } catch {
            return answer(["error": ["code": -32603, "parameter": method, "message": "Internal error: \(error)"]])
        }
    }

    /// The request's id as it came (integer, other number or string); nil for a notification.
    private static func requestID(_ raw: Any?) -> Any? {
        guard let raw, !(raw is NSNull) else { return nil }
        if let text = raw as? String { return text }
        guard EngineJSON.kind(raw) == .number, let number = EngineJSON.number(raw) else { return nil }
        if let int = raw as? Int, type(of: raw) == Int.self { return int }
        // A parsed integer keeps all its digits (a Double would round ids beyond 2^53).
        if let parsed = raw as? NSNumber, !["d", "f"].contains(String(cString: parsed.objCType)) { return parsed.intValue }
        return number
    }

    private static func schema() throws(RPCError) -> EngineSchema {
        switch EngineSchema.shared {
        case .success(let schema): return schema
        case .failure(let error): throw RPCError(code: -32603, parameter: "", message: "Internal error: \(error.description)")
        }
    }

    /// The engine class a handle's methods belong to, named as Qlik's schema names it; nil for a handle the session did not give out.
    func engineClass(of handle: Int) -> String? {
        if handle == Self.globalHandle { return "Global" }
        if handle == Self.docHandle { return openDoc == nil ? nil : "Doc" }
        return handles[handle]?.engineClass
    }

    /// Each value of `result` as a JSON Patch from the previous result of this method on this handle.
    private mutating func delta(_ result: [String: Any], handle: Int, method: String) -> [String: Any] {
        let plain = EngineJSON.plain(result) as? [String: Any] ?? [:]
        let previous = deltaResults[handle]?[method]
        deltaResults[handle, default: [:]][method] = plain
        return Dictionary(uniqueKeysWithValues: plain.map { key, value in (key, JSONPatchDiff.patches(from: previous?[key], to: value) as Any) })
    }

    /// Destroys a handle: it goes in the answer's `close` list, and its object and delta history are forgotten.
    mutating func close(_ handle: Int) {
        handles[handle] = nil
        objects[handle] = nil
        listObjects[handle] = nil
        pivotExpansions[handle] = nil
        deltaResults[handle] = nil
        closedHandles.insert(handle)
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
        case .field(let name): return try await fieldMethod(method, handle: handle, field: name, params)
        case .genericDimension(let id): return try await genericDimensionMethod(method, id: id, handle: handle, params)
        case .genericMeasure(let id): return try await genericMeasureMethod(method, id: id, handle: handle, params)
        case .genericVariable(let id): return try await genericVariableMethod(method, id: id, handle: handle, params)
        case .variable(let id): return try await variableMethod(method, id: id, params)
        case .genericBookmark(let id): return try await genericBookmarkMethod(method, id: id, handle: handle, params)
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

extension EngineConversation.RPCError {
    /// How the engine answers a method its object's class does not offer (or Qlik Cloud does not).
    static func methodNotFound(_ method: String) -> Self { .init(code: -32601, parameter: method, message: "Method not found") }
    static let invalidHandle = Self(code: -32602, parameter: "handle", message: "Invalid handle")
}

/// What a handle of a session stands for: the engine class whose methods it answers, and which object.
enum EngineHandle {
    case genericObject(id: String)
    case field(name: String)
    case genericDimension(id: String)
    case genericMeasure(id: String)
    case genericVariable(id: String)
    /// A variable opened through the older Variable class (`GetVariable`), by its object id.
    case variable(id: String)
    case genericBookmark(id: String)
}

extension EngineHandle {
    /// The schema's name of the handle's class, read from the case's name (`genericDimension` -> GenericDimension),
    /// which names it as scripts/engine-coverage does, so a new case needs no entry here.
    var engineClass: String {
        let name = String(describing: self).prefix { $0 != "(" }
        return name.prefix(1).uppercased() + name.dropFirst()
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
