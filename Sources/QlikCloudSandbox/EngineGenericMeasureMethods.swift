import Foundation

/// The GenericMeasure class: a master measure, its expression and the charts that use it.
extension EngineSession {
    mutating func genericMeasureMethod(_ method: String, id: String, handle: Int, _ params: Params) async throws -> [String: Any] {
        let measure = try await requireObject(id)
        switch method {
        case "GetLayout":
            return ["qLayout": ["qInfo": Self.info(measure), "qMeta": meta(measure), "qMeasure": measure.properties["qMeasure"]?.dictionary ?? [:]]]
        case "GetMeasure":
            return ["qMeasure": measure.properties["qMeasure"]?.dictionary ?? [:]]
        default:
            return try await masterItemMethod(method, measure, params)
        }
    }
}
