import Foundation

/// The GenericMeasure class: a master measure, its expression and the charts that use it.
extension EngineConversation {
    mutating func genericMeasureMethod(_ method: String, id: String, handle: Int, _ params: Params) async throws -> [String: Any] {
        let measure = try await requireObject(id)
        switch method {
        case "GetLayout":
            return ["qLayout": ["qInfo": Self.info(measure), "qMeta": meta(measure), "qMeasure": measure.properties["qMeasure"]?.dictionary ?? [:]]]
        case "GetMeasure":
            return ["qMeasure": measure.properties["qMeasure"]?.dictionary ?? [:]]
        case "GetProperties":
            return ["qProp": measure.properties.dictionary]
        case "GetInfo":
            return ["qInfo": Self.info(measure)]
        case "SetProperties":
            return try await setItemProperties(measure, params)
        case "ApplyPatches":
            return try await patchItem(measure, params)
        case "GetLinkedObjects":
            return ["qItems": await linkedObjects(measure)]
        default:
            throw RPCError.methodNotFound(method)
        }
    }
}
