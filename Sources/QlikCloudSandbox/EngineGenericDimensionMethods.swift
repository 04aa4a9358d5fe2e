import Foundation
import QVD

/// The GenericDimension class: a master dimension, its definition, the data
/// of its fields and the charts that use it.
extension EngineConversation {
    mutating func genericDimensionMethod(_ method: String, id: String, handle: Int, _ params: Params) async throws -> [String: Any] {
        let dimension = try await requireObject(id)
        switch method {
        case "GetLayout":
            var infos: [[String: Any]] = []
            for field in (dimension.properties["qDim"]?["qFieldDefs"]).map(Self.strings) ?? [] {
                let values = await fieldValues(field)
                infos.append(["qApprMaxGlyphCount": values.map { ($0.displayText ?? "").count }.max() ?? 0, "qCardinal": Set(values).count,
                              "qTags": EngineViews.tags(values), "qIsSemantic": false, "qAndMode": false])
            }
            return ["qLayout": ["qInfo": Self.info(dimension), "qMeta": meta(dimension),
                                "qDim": dimension.properties["qDim"]?.dictionary ?? [:], "qDimInfos": infos]]
        case "GetDimension":
            return ["qDim": dimension.properties["qDim"]?.dictionary ?? [:]]
        case "GetActiveField":
            // A single dimension, or a drill-down group at its first field: the sandbox keeps no drill position.
            return ["qReturn": 0]
        case "GetProperties":
            return ["qProp": dimension.properties.dictionary]
        case "GetInfo":
            return ["qInfo": Self.info(dimension)]
        case "SetProperties":
            return try await setItemProperties(dimension, params)
        case "ApplyPatches":
            return try await patchItem(dimension, params)
        case "GetLinkedObjects":
            return ["qItems": await linkedObjects(dimension)]
        default:
            throw RPCError.methodNotFound(method)
        }
    }

    /// SetProperties of a master item, variable or bookmark: the objects that use it compute anew.
    mutating func setItemProperties(_ item: AppObject, _ params: Params) async throws -> [String: Any] {
        guard let properties = params.object(0, "qProp") else { throw RPCError.missingProperties }
        try await replaceProperties(of: item, with: JSONValue(any: properties))
        await invalidateUsers(of: item.id)
        return [:]
    }

    /// ApplyPatches of a master item, variable or bookmark (their patches are never soft).
    mutating func patchItem(_ item: AppObject, _ params: Params) async throws -> [String: Any] {
        try await replaceProperties(of: item, with: try JSONPatch.applying(params.array(0, "qPatches") ?? [], to: item.properties))
        await invalidateUsers(of: item.id)
        return [:]
    }

    /// `NxLinkedObjectInfo` of each object that uses an item: charts on a master item (qLibraryId), objects extending it (qExtendsId),
    /// with the root of their tree (the sheet) as `qRootId`.
    func linkedObjects(_ item: AppObject) async -> [[String: Any]] {
        let all = await reachableObjects()
        let users = all.items.filter { MasterItems.references(in: $0.properties).contains(item.id) || $0.properties["qExtendsId"]?.string == item.id }
        return users.map { ["qRootId": all.rootID(of: $0.id), "qInfo": Self.info($0)] }
    }

    /// A master item changed: the charts that use it compute anew.
    private mutating func invalidateUsers(of id: String) async {
        for user in await reachableObjects().items
        where MasterItems.references(in: user.properties).contains(id) || user.properties["qExtendsId"]?.string == id { invalidate(user) }
    }

    /// The non-null values of a field (`[Name]` or `Name`) in the app's data model, over every table that holds it.
    func fieldValues(_ field: String) async -> [QlikValue] {
        let name = LoadScript.unquote(field)
        return await model().tables.flatMap { table in
            table.fields.firstIndex(of: name).map { table.columns[$0].filter { !$0.isNull } } ?? []
        }
    }

    static func strings(_ value: JSONValue) -> [String] {
        if case .array(let values) = value { return values.compactMap(\.string) }
        return []
    }
}
