/// `NxFieldDescription`: one field of the app's data model as a `qFieldListDef` session object lists it.
public struct EngineFieldDescription: Decodable, Sendable, Equatable {
    public let qName: String
    /// The tables holding the field (Qlik sends it; an engine may leave it out, the data model says it too).
    public let qSrcTables: [String]?
    /// Distinct values of the field across the app.
    public let qCardinal: Int?
    /// `$key`, `$numeric`, `$integer`, `$text`, `$ascii`, `$date`, `$timestamp`, user tags.
    public let qTags: [String]?
    public let qIsSystem: Bool?
    public let qIsHidden: Bool?
}

/// What a catalog reads of an app's data through the engine session it already has open, instead of a REST
/// request per app (`data/metadata`, `scripts/current`), which a tenant counts against the caller's rate limit.
extension EngineCalls {
    /// Doc `GetScript`: the app's load script.
    public func loadScript(doc: Int) async throws(EngineError) -> String {
        try await call("GetScript", handle: doc, params: "[]", as: EngineScriptAnswer.self).qScript
    }

    /// The app's fields (system fields not shown), through a `qFieldListDef` session object.
    public func fieldList(doc: Int) async throws(EngineError) -> [EngineFieldDescription] {
        let handle = try await sessionObject(doc: doc, definition: #"{"qInfo":{"qType":"FieldList"},"qFieldListDef":{"qShowSystem":false,"qShowHidden":false,"qShowSemantic":true,"qShowSrcTables":true,"qShowDerivedFields":false,"qShowImplicit":false}}"#)
        return try await layout(of: handle, as: EngineFieldListLayout.self).qFieldList.qItems ?? []
    }
}

struct EngineScriptAnswer: Decodable { let qScript: String }

/// A `qFieldListDef` object's layout: `qFieldList.qItems`.
struct EngineFieldListLayout: Decodable {
    struct List: Decodable { let qItems: [EngineFieldDescription]? }
    let qFieldList: List
}
