/// An app's master dimensions and measures, to put their definitions in
/// place of the `qLibraryId` references of charts and list objects before
/// their data is computed, as the engine does.
struct MasterItems {
    private let dimensions: [String: [String: JSONValue]]
    private let measures: [String: [String: JSONValue]]

    init(_ objects: AppObjects) {
        var dimensions: [String: [String: JSONValue]] = [:], measures: [String: [String: JSONValue]] = [:]
        for object in objects.items {
            switch object.engineClass {
            case .genericDimension: dimensions[object.id] = object.properties["qDim"]?.members ?? [:]
            case .genericMeasure: measures[object.id] = object.properties["qMeasure"]?.members ?? [:]
            default: break
            }
        }
        self.dimensions = dimensions
        self.measures = measures
    }

    /// The properties with each master item reference resolved: a dimension's `qDef` gets the master's field
    /// definitions and labels, a measure's `qDef` its expression, label and number format. Unknown ids stay as they are.
    func resolving(_ properties: JSONValue) -> JSONValue {
        var members = properties.members
        if var cube = members["qHyperCubeDef"]?.members {
            if case .array(let list)? = cube["qDimensions"] { cube["qDimensions"] = .array(list.map(resolvingDimension)) }
            if case .array(let list)? = cube["qMeasures"] { cube["qMeasures"] = .array(list.map(resolvingMeasure)) }
            members["qHyperCubeDef"] = .object(cube)
        }
        if let list = members["qListObjectDef"] { members["qListObjectDef"] = resolvingDimension(list) }
        return .object(members)
    }

    private func resolvingDimension(_ dimension: JSONValue) -> JSONValue {
        guard let id = dimension["qLibraryId"]?.string, let master = dimensions[id] else { return dimension }
        var members = dimension.members
        var definition = members["qDef"]?.members ?? [:]
        for key in ["qFieldDefs", "qFieldLabels", "qGrouping", "qLabelExpression"] { definition[key] = master[key] ?? definition[key] }
        members["qDef"] = .object(definition)
        return .object(members)
    }

    private func resolvingMeasure(_ measure: JSONValue) -> JSONValue {
        guard let id = measure["qLibraryId"]?.string, let master = measures[id] else { return measure }
        var members = measure.members
        var definition = members["qDef"]?.members ?? [:]
        for key in ["qDef", "qLabel", "qNumFormat", "qGrouping", "qLabelExpression"] { definition[key] = master[key] ?? definition[key] }
        members["qDef"] = .object(definition)
        return .object(members)
    }

    /// The master item ids an object's properties refer to (its hypercube's dimensions and measures, its list object).
    static func references(in properties: JSONValue) -> Set<String> {
        var ids: Set<String> = []
        let cube = properties["qHyperCubeDef"]
        for key in ["qDimensions", "qMeasures"] {
            if case .array(let list)? = cube?[key] { ids.formUnion(list.compactMap { $0["qLibraryId"]?.string }) }
        }
        if let id = properties["qListObjectDef"]?["qLibraryId"]?.string { ids.insert(id) }
        ids.remove("")
        return ids
    }
}
