import Foundation
import QVD

/// The layout of a generic object, as the engine computes it: the object's
/// properties with each definition (`...Def`) replaced by what it yields
/// (`qHyperCube`, `qListObject`, `qChildList`, the app's field, dimension,
/// measure, variable, bookmark and object lists), plus `qInfo`, `qMeta` and
/// `qSelectionInfo`.
extension EngineConversation {
    /// Definitions a layout shows computed, by the key their result takes.
    static let computedDefinitions: [String: String] = [
        "qMetaDef": "qMeta", "qHyperCubeDef": "qHyperCube", "qListObjectDef": "qListObject", "qChildListDef": "qChildList",
        "qFieldListDef": "qFieldList", "qDimensionListDef": "qDimensionList", "qMeasureListDef": "qMeasureList",
        "qVariableListDef": "qVariableList", "qBookmarkListDef": "qBookmarkList", "qAppObjectListDef": "qAppObjectList",
        "qSelectionObjectDef": "qSelectionObject",
    ]

    mutating func genericObjectLayout(_ object: AppObject, handle: Int) async throws -> [String: Any] {
        let all = await reachableObjects()
        let resolved = MasterItems(all).resolving(object.properties)
        let properties = resolved.dictionary
        var layout = await evaluatingExpressions(properties.filter { Self.computedDefinitions[$0.key] == nil }) as? [String: Any] ?? [:]
        layout["qInfo"] = Self.info(object)
        layout["qMeta"] = meta(object)
        layout["qSelectionInfo"] = [String: Any]()
        if softPatches[object.id] != nil { layout["qHasSoftPatches"] = true }
        if properties["qHyperCubeDef"] != nil || properties["qListObjectDef"] != nil {
            do {
                let data = try await dataLayout(for: properties, id: object.id, type: object.type, handle: handle)
                for (key, value) in data where key != "qInfo" { layout[key] = value }
            } catch let error as RPCError {
                // The engine shows a definition it cannot compute as an error inside the layout, not as a failed call.
                let key = properties["qHyperCubeDef"] != nil ? "qHyperCube" : "qListObject"
                layout[key] = ["qSize": ["qcx": 0, "qcy": 0], "qDimensionInfo": [Any](), "qMeasureInfo": [Any](), "qDataPages": [Any](),
                               "qError": ["qErrorCode": error.code, "qContext": error.parameter, "qExtendedMessage": error.message]]
            }
        }
        if resolved["qSelectionObjectDef"] != nil { layout["qSelectionObject"] = await currentSelectionsLayout() }
        if let definition = resolved["qChildListDef"] {
            let children = object.childIDs.compactMap { all.object($0) }
            layout["qChildList"] = ["qItems": children.map { containerEntry($0, data: definition["qData"]) }]
        }
        // Every field is shown: the sandbox's models have no system, hidden, semantic or derived fields for qFieldListDef's switches to hide.
        if resolved["qFieldListDef"] != nil { layout["qFieldList"] = ["qItems": await fieldDescriptions()] }
        for (key, result, defaultType) in [("qDimensionListDef", "qDimensionList", "dimension"), ("qMeasureListDef", "qMeasureList", "measure"),
                                           ("qBookmarkListDef", "qBookmarkList", "bookmark"), ("qAppObjectListDef", "qAppObjectList", "")] {
            guard let definition = resolved[key] else { continue }
            let type = definition["qType"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? defaultType
            let listed = all.items.filter { sessionObjects.object($0.id) == nil && (type.isEmpty || $0.type == type) }
            layout[result] = ["qItems": listed.map { containerEntry($0, data: definition["qData"]) }]
        }
        if let definition = resolved["qVariableListDef"] {
            let showSession = definition["qShowSession"]?.bool ?? false
            let variables = all.items.filter { $0.engineClass == .genericVariable && (showSession || sessionObjects.object($0.id) == nil) }
            layout["qVariableList"] = ["qItems": variables.map { variable -> [String: Any] in
                var item = containerEntry(variable, data: definition["qData"])
                item["qName"] = variable.properties["qName"]?.string ?? ""
                item["qDefinition"] = variable.properties["qDefinition"]?.string ?? ""
                item["qDescription"] = variable.properties["qComment"]?.string ?? ""
                item["qIsConfig"] = false
                item["qIsReserved"] = false
                item["qIsScriptCreated"] = false
                return item
            }]
        }
        return layout
    }

    /// `NxContainerEntry`: an object's info and meta, with `qData` filled from the JSON paths the list definition asks for.
    func containerEntry(_ object: AppObject, data paths: JSONValue?) -> [String: Any] {
        let document = object.properties
        var data: [String: Any] = [:]
        for (name, path) in paths?.members ?? [:] {
            guard let path = path.string else { continue }
            let pointer = path.hasPrefix("/") ? path : "/" + path
            if let value = document.value(at: pointer) { data[name] = value.any }
        }
        return ["qInfo": Self.info(object), "qMeta": meta(object), "qData": data]
    }

    /// `NxFieldDescription` of each field of the app's data model, once per name however many tables hold it.
    func fieldDescriptions() async -> [[String: Any]] {
        let model = await model()
        var order: [String] = [], values: [String: [QlikValue]] = [:], tables: [String: [String]] = [:]
        for table in model.tables {
            for (index, field) in table.fields.enumerated() {
                if values[field] == nil { order.append(field) }
                values[field, default: []] += table.columns[index].filter { !$0.isNull }
                tables[field, default: []].append(table.name)
            }
        }
        return order.map { field in
            let present = values[field] ?? []
            let isKey = (tables[field]?.count ?? 0) > 1
            return [
                "qName": field, "qCardinal": Set(present).count, "qTags": (isKey ? ["$key"] : []) + EngineViews.tags(present),
                "qIsSemantic": false, "qIsHidden": false, "qIsSystem": false, "qAndMode": false, "qIsDefinitionOnly": false,
                "qIsDetail": false, "qIsImplicit": false, "qReadableName": field,
            ] as [String: Any]
        }
    }
}
