import Foundation

/// The GenericObject class, its properties and place in the object tree:
/// layouts, properties (set, patched, effective, as a tree), info, parent and children.
extension EngineConversation {
    mutating func genericObjectPropertyMethod(_ method: String, handle: Int, _ params: Params) async throws -> [String: Any] {
        guard case .genericObject(let id)? = handles[handle] else { throw RPCError.invalidHandle }
        let object = try await requireObject(id)
        switch method {
        case "GetLayout":
            return ["qLayout": try await genericObjectLayout(object, handle: handle)]
        case "GetProperties":
            return ["qProp": object.properties.dictionary]
        case "GetEffectiveProperties":
            return ["qProp": await effectiveProperties(object).dictionary]
        case "GetFullPropertyTree":
            return ["qPropEntry": propertyTree(object, in: await reachableObjects())]
        case "GetInfo":
            return ["qInfo": Self.info(object)]
        case "GetLinkedObjects":
            return ["qItems": await linkedObjects(object)]
        case "GetChildInfos":
            let all = await reachableObjects()
            return ["qInfos": object.childIDs.compactMap { all.object($0) }.map(Self.info)]
        case "GetChild":
            let childID = params.string(0, "qId") ?? ""
            guard object.childIDs.contains(childID), let child = await appObject(childID) else { throw RPCError.objectNotFound(childID) }
            return ["qReturn": openHandle(on: child)]
        case "GetParent":
            guard let parentID = object.parentID, let parent = await appObject(parentID) else {
                throw RPCError(code: 2, parameter: object.id, message: "Object not found: the object has no parent")
            }
            return ["qReturn": openHandle(on: parent)]
        case "SetProperties":
            guard let properties = params.object(0, "qProp") else { throw RPCError.missingProperties }
            try await replaceProperties(of: object, with: JSONValue(any: properties))
            return [:]
        case "ApplyPatches":
            let patched = try JSONPatch.applying(params.array(0, "qPatches") ?? [], to: object.properties)
            if params.value(1, "qSoftPatch") as? Bool == true {
                softPatches[object.id] = patched
                invalidate(object)
            } else {
                try await replaceProperties(of: object, with: patched)
            }
            return [:]
        default:
            throw RPCError.methodNotFound(method)
        }
    }

    /// The hypercube of an object's handle, built from its properties (master items resolved) on first use; nil when it defines none.
    mutating func hyperCube(_ handle: Int) async throws -> HyperCube? {
        if let cube = objects[handle] { return cube }
        guard case .genericObject(let id)? = handles[handle] else { throw RPCError.invalidHandle }
        let object = try await requireObject(id)
        let resolved = MasterItems(await reachableObjects()).resolving(object.properties).dictionary
        guard resolved["qHyperCubeDef"] != nil || resolved["qListObjectDef"] != nil else { return nil }
        _ = try await dataLayout(for: resolved, id: object.id, type: object.type, handle: handle)
        return objects[handle]
    }

    /// New properties for an object (its id and type stay); its layout, and its parent's child list, change.
    mutating func replaceProperties(of object: AppObject, with properties: JSONValue) async throws {
        guard case .object(var members) = properties else { throw RPCError.missingProperties }
        members["qInfo"] = .object(["qId": .string(object.id), "qType": .string(members["qInfo"]?["qType"]?.string ?? object.type)])
        var changed = object
        changed.properties = .object(members)
        changed.modifiedAt = tenant.clock()
        softPatches[object.id] = nil
        await store(changed)
        invalidate(object)
    }

    /// An object's layout is no longer what its handles showed: their cached data goes, and they (and its parent's) are in `change`.
    mutating func invalidate(_ object: AppObject) {
        for handle in handles(on: object.id) {
            objects[handle] = nil
            changed.insert(handle)
        }
        if let parentID = object.parentID { changed.formUnion(handles(on: parentID)) }
    }

    /// The properties an object shows when it extends another (`qExtendsId`): the base's, overridden by its own.
    func effectiveProperties(_ object: AppObject) async -> JSONValue {
        var members = object.properties.members
        var seen: Set<String> = [object.id]
        var baseID = members["qExtendsId"]?.string ?? ""
        while !baseID.isEmpty, seen.insert(baseID).inserted, let base = await appObject(baseID) {
            for (key, value) in base.properties.members where members[key] == nil && key != "qInfo" { members[key] = value }
            baseID = base.properties["qExtendsId"]?.string ?? ""
        }
        return .object(members)
    }

    /// `GenericObjectEntry`: an object's properties with its children's entries, all the way down.
    func propertyTree(_ object: AppObject, in all: AppObjects) -> [String: Any] {
        ["qProperty": object.properties.dictionary,
         "qChildren": object.childIDs.compactMap { all.object($0) }.map { propertyTree($0, in: all) }]
    }
}

extension EngineConversation.RPCError {
    static let missingProperties = Self(code: 8, parameter: "qProp", message: "Invalid parameters: qProp must be a JSON object of properties with qInfo")
}
