import Foundation

/// Where a session finds the app's objects and how it opens handles on them:
/// the app's persistent objects (the tenant's, or a session app's own) and
/// the objects that live with the socket.
extension EngineConversation {
    /// The app's persistent objects as this session sees them.
    func persistentObjects() async -> AppObjects {
        if openDoc?.isSessionApp == true { return sessionAppObjects }
        return await tenant.app(appID)?.objects ?? AppObjects()
    }

    /// Every object the session reaches: the app's, then the socket's own.
    func reachableObjects() async -> AppObjects {
        var all = await persistentObjects()
        for object in sessionObjects.items { all.put(object) }
        for (id, properties) in softPatches {
            if var object = all.object(id) {
                object.properties = properties
                all.put(object)
            }
        }
        return all
    }

    /// The object with this id as the session sees it (its soft patches applied), or nil.
    func appObject(_ id: String) async -> AppObject? {
        var object = sessionObjects.object(id)
        if object == nil { object = await persistentObjects().object(id) }
        if let properties = softPatches[id] { object?.properties = properties }
        return object
    }

    /// The object a handle stands for; the engine's "not found" when it was destroyed meanwhile.
    func requireObject(_ id: String) async throws -> AppObject {
        guard let object = await appObject(id) else { throw RPCError.objectNotFound(id) }
        return object
    }

    /// Stores a changed object where it lives: with the socket, with a session app, or in the tenant's app.
    mutating func store(_ object: AppObject) async {
        if sessionObjects.object(object.id) != nil {
            sessionObjects.put(object)
        } else if openDoc?.isSessionApp == true {
            sessionAppObjects.put(object)
        } else {
            await tenant.putAppObject(appID, object)
        }
    }

    /// Adds a new persistent object (CreateObject, CreateDimension, ...) to the app.
    mutating func addPersistent(_ object: AppObject) async throws {
        guard await appObject(object.id) == nil else { throw RPCError.alreadyExists(object.id) }
        if openDoc?.isSessionApp == true { sessionAppObjects.put(object) } else { await tenant.putAppObject(appID, object) }
        markObjectListsChanged()
    }

    /// Destroys a persistent object with its descendants; false when the app has no such object.
    mutating func destroyPersistent(_ id: String) async -> Bool {
        let removed: [String]
        if openDoc?.isSessionApp == true { removed = sessionAppObjects.remove(id) } else { removed = await tenant.removeAppObject(appID, id: id) }
        closeHandles(of: removed)
        if !removed.isEmpty { markObjectListsChanged() }
        return !removed.isEmpty
    }

    /// Destroys a session object with its descendants; false when the socket has no such object.
    mutating func destroySessionObject(_ id: String) -> Bool {
        let removed = sessionObjects.remove(id)
        closeHandles(of: removed)
        return !removed.isEmpty
    }

    /// A new object from the properties a client sent: its id from `qInfo.qId`, or a new one; `type` when it names none.
    func newObject(_ properties: [String: Any], type defaultType: String, parentID: String? = nil) -> AppObject {
        var members = JSONValue(any: properties).members
        var info = members["qInfo"]?.members ?? [:]
        if info["qId"]?.string?.isEmpty ?? true { info["qId"] = .string(Identifier.uuid()) }
        if info["qType"]?.string?.isEmpty ?? true { info["qType"] = .string(defaultType) }
        members["qInfo"] = .object(info)
        let now = tenant.clock()
        return AppObject(properties: .object(members), parentID: parentID, ownerID: userID, createdAt: now, modifiedAt: now)
    }

    /// Opens a handle on an object, of the class its type decides (the `qReturn` of GetObject, GetDimension, ...);
    /// the handle already open on it when there is one, as the engine gives one handle per object and session.
    mutating func openHandle(on object: AppObject, as target: EngineHandle? = nil) -> [String: Any] {
        let target = target ?? EngineHandle(object)
        let type = target.handleType
        if let existing = handles.first(where: { $0.value.handleKey == target.handleKey })?.key {
            return ["qType": type, "qHandle": existing, "qGenericId": object.id, "qGenericType": object.type]
        }
        var opened = open(target, type: type, genericID: object.id)
        opened["qGenericType"] = object.type
        return opened
    }

    /// Closes the handles open on destroyed objects; their cached data goes with them.
    mutating func closeHandles(of ids: [String]) {
        let closed = handles.filter { $0.value.objectID.map(ids.contains) ?? false }.map(\.key)
        // close(_:) lists each in the answer's `close`, as the engine does.
        for handle in closed { close(handle) }
        for id in ids { softPatches[id] = nil }
    }

    /// The handles open on an object, for the answer's `change` list when it changed.
    func handles(on id: String) -> [Int] {
        handles.filter { $0.value.objectID == id }.map(\.key)
    }

    /// Objects were added or removed: layouts that list the app's objects (qAppObjectListDef, qDimensionListDef, ...) change.
    mutating func markObjectListsChanged() {
        changed.formUnion(handles.filter { if case .genericObject = $0.value { true } else { false } }.keys)
    }

    /// `NxInfo`.
    static func info(_ object: AppObject) -> [String: Any] { ["qId": object.id, "qType": object.type] }

    /// `qMeta` of a layout or container entry: the object's `qMetaDef` with what Qlik Cloud adds (dates, owner, publication, privileges).
    func meta(_ object: AppObject) -> [String: Any] {
        var meta = object.properties["qMetaDef"]?.dictionary ?? [:]
        meta["createdDate"] = Self.timestamp(object.createdAt)
        meta["modifiedDate"] = Self.timestamp(object.modifiedAt)
        meta["published"] = object.published
        if object.published { meta["publishTime"] = Self.timestamp(object.createdAt) }
        meta["approved"] = false
        meta["ownerId"] = object.ownerID
        meta["privileges"] = object.ownerID == userID || !object.published
            ? ["read", "update", "delete", "exportdata"] : ["read", "exportdata"]
        return meta
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

extension EngineConversation.RPCError {
    /// LOCERR_GENERIC_NOT_FOUND: no object of the app has this id (`parameter` is the id asked for).
    static func objectNotFound(_ id: String) -> Self { .init(code: 2, parameter: id, message: "Object not found") }
    /// LOCERR_GENERIC_ALREADY_EXISTS: an object with this id is in the app already.
    static func alreadyExists(_ id: String) -> Self { .init(code: 3, parameter: id, message: "Object already exists") }
}

extension EngineHandle {
    /// The handle class an object answers as.
    init(_ object: AppObject) {
        switch object.engineClass {
        case .genericObject: self = .genericObject(id: object.id)
        case .genericDimension: self = .genericDimension(id: object.id)
        case .genericMeasure: self = .genericMeasure(id: object.id)
        case .genericVariable: self = .genericVariable(id: object.id)
        case .genericBookmark: self = .genericBookmark(id: object.id)
        }
    }

    /// The app object the handle stands for, if it stands for one.
    var objectID: String? {
        if case .genericObject(let id) = self { return id }
        if case .genericDimension(let id) = self { return id }
        if case .genericMeasure(let id) = self { return id }
        if case .genericVariable(let id) = self { return id }
        if case .variable(let id) = self { return id }
        if case .genericBookmark(let id) = self { return id }
        return nil
    }

    /// The `qType` of the handle, the engine class its methods belong to.
    var handleType: String {
        if case .genericDimension = self { return "GenericDimension" }
        if case .genericMeasure = self { return "GenericMeasure" }
        if case .genericVariable = self { return "GenericVariable" }
        if case .variable = self { return "Variable" }
        if case .genericBookmark = self { return "GenericBookmark" }
        return "GenericObject"
    }

    /// Class and object together: two handles with the same key stand for the same thing.
    var handleKey: String? { objectID.map { handleType + ":" + $0 } }
}
