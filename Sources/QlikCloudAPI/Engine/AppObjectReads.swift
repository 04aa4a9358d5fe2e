/// What a catalog reads of an app through its engine: the objects it holds
/// (sheets, charts, master items, variables, bookmarks) and its data model,
/// shaped as Qlik's engine API defines them (Doc `GetAllInfos`, `GetObject`,
/// `CreateSessionObject` with list definitions, `GetTablesAndKeys`;
/// GenericObject `GetLayout`, `GetProperties`; `GetDimension`, `GetMeasure`).
/// Written against ``EngineCalls``, so a test can answer in the engine's place.
public protocol EngineCalls: Sendable {
    /// Any method, with `params` as JSON text; the answer's `result` decoded as `T`.
    func call<T: Decodable>(_ method: String, handle: Int, params: String, as type: T.Type) async throws(EngineError) -> T
}

extension EngineSession: EngineCalls {}

/// `NxInfo`: an object's id and type.
public struct EngineObjectInfo: Codable, Sendable, Equatable {
    public let qId: String
    public let qType: String
    public init(qId: String, qType: String) {
        self.qId = qId
        self.qType = qType
    }
}

/// `NxMeta` as sheets, charts and master items carry it (`qMeta` in a layout, `qMetaDef` in properties).
public struct EngineObjectMeta: Decodable, Sendable, Equatable {
    public struct Owner: Decodable, Sendable, Equatable {
        public let id: String?
        public let userId: String?
        public let name: String?
    }
    public let title: String?
    public let description: String?
    public let published: Bool?
    public let owner: Owner?
    public let ownerId: String?
    public let tags: [String]?

    enum CodingKeys: String, CodingKey { case title, description, published, owner, ownerId, tags }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // Titles and descriptions may be expressions (objects), which a catalog does not evaluate.
        title = (try? container.decodeIfPresent(String.self, forKey: .title)) ?? nil
        description = (try? container.decodeIfPresent(String.self, forKey: .description)) ?? nil
        published = (try? container.decodeIfPresent(Bool.self, forKey: .published)) ?? nil
        // Qlik Cloud sends the owner as an object; some engines send its id as text.
        if let owner = try? container.decodeIfPresent(Owner.self, forKey: .owner) {
            self.owner = owner
            ownerId = try container.decodeIfPresent(String.self, forKey: .ownerId)
        } else {
            owner = nil
            let ownerText = (try? container.decodeIfPresent(String.self, forKey: .owner)) ?? nil
            ownerId = try ownerText ?? container.decodeIfPresent(String.self, forKey: .ownerId)
        }
        tags = (try? container.decodeIfPresent([String].self, forKey: .tags)) ?? nil
    }
}

/// The parts of a generic object's layout a catalog reads: its info and meta, the titles the
/// engine computed, which master items its hypercube uses, and its children.
public struct EngineObjectLayout: Decodable, Sendable {
    public struct HyperCube: Decodable, Sendable {
        public struct DimensionInfo: Decodable, Sendable {
            public let qFallbackTitle: String?
            public let qLibraryId: String?
            public let qGroupFieldDefs: [String]?
            public let qError: EngineObjectError?
        }
        public struct MeasureInfo: Decodable, Sendable {
            public let qFallbackTitle: String?
            public let qLibraryId: String?
            public let qError: EngineObjectError?
        }
        public let qDimensionInfo: [DimensionInfo]?
        public let qMeasureInfo: [MeasureInfo]?
        public let qError: EngineObjectError?
    }
    public struct ChildList: Decodable, Sendable {
        public struct Item: Decodable, Sendable { public let qInfo: EngineObjectInfo }
        public let qItems: [Item]?
    }
    /// A sheet's grid cell: `name` is the child object's id.
    public struct Cell: Decodable, Sendable {
        public let name: String?
        public let type: String?
    }
    public let qInfo: EngineObjectInfo
    public let qMeta: EngineObjectMeta?
    public let title: EngineText?
    public let visualization: String?
    public let qHyperCube: HyperCube?
    public let qChildList: ChildList?
    public let cells: [Cell]?
    public let qError: EngineObjectError?
}

/// A property that is text, or an expression object (`{"qStringExpression": ...}`) a catalog does not evaluate.
public struct EngineText: Decodable, Sendable, Equatable {
    public let text: String?
    public init(from decoder: any Decoder) throws {
        text = try? decoder.singleValueContainer().decode(String.self)
    }
}

/// `NxValidationError`: what the engine found wrong with part of an object.
public struct EngineObjectError: Decodable, Sendable, Equatable {
    public let qErrorCode: Int?
    public let qContext: String?
    public let qExtendedMessage: String?
}

/// `NxLibraryDimensionDef` / `NxInlineDimensionDef`: the fields of a dimension.
public struct EngineDimensionDef: Decodable, Sendable, Equatable {
    public let qFieldDefs: [String]?
    public let qFieldLabels: [String]?
    public let qGrouping: String?
    public let qLabelExpression: String?
}

/// `NxLibraryMeasureDef` / `NxInlineMeasureDef`: a measure's expression.
public struct EngineMeasureDef: Decodable, Sendable, Equatable {
    public let qDef: String?
    public let qLabel: String?
    public let qLabelExpression: String?
}

/// The parts of a chart's properties a catalog reads (`GenericObjectProperties` with a `qHyperCubeDef`).
public struct EngineChartProperties: Decodable, Sendable {
    public struct Dimension: Decodable, Sendable {
        public let qLibraryId: String?
        public let qDef: EngineDimensionDef?
    }
    public struct Measure: Decodable, Sendable {
        public let qLibraryId: String?
        public let qDef: EngineMeasureDef?
    }
    public struct HyperCubeDef: Decodable, Sendable {
        public let qDimensions: [Dimension]?
        public let qMeasures: [Measure]?
    }
    public struct ListObjectDef: Decodable, Sendable {
        public let qLibraryId: String?
        public let qDef: EngineDimensionDef?
    }
    /// A filter pane's list boxes are its children; a list box carries one list object.
    public let qInfo: EngineObjectInfo
    public let qMetaDef: EngineObjectMeta?
    public let title: EngineText?
    public let visualization: String?
    public let qHyperCubeDef: HyperCubeDef?
    public let qListObjectDef: ListObjectDef?
}

/// A master dimension or measure's properties (`GenericDimensionProperties`, `GenericMeasureProperties`).
public struct EngineMasterItemProperties: Decodable, Sendable {
    public let qInfo: EngineObjectInfo
    public let qMetaDef: EngineObjectMeta?
    public let qDim: EngineDimensionDef?
    public let qMeasure: EngineMeasureDef?
}

/// One item of a `qDimensionList` / `qMeasureList` / `qBookmarkList` (`NxContainerEntry`).
public struct EngineListItem: Decodable, Sendable {
    public struct Data: Decodable, Sendable {
        public let title: String?
        public let description: String?
        /// Asked for by path (`/qDim`, `/qMeasure`): engines that resolve the path send the definition here, saving a round trip.
        public let dim: EngineDimensionDef?
        public let measure: EngineMeasureDef?
    }
    public let qInfo: EngineObjectInfo
    public let qMeta: EngineObjectMeta?
    public let qData: Data?
}

/// One item of a `qVariableList` (`NxVariableListItem`).
public struct EngineVariableItem: Decodable, Sendable {
    public let qName: String
    public let qDefinition: String?
    public let qDescription: String?
    public let qInfo: EngineObjectInfo?
    public let qIsScriptCreated: Bool?
    public let qIsReserved: Bool?
    public let qIsConfig: Bool?
}

/// `GetTablesAndKeys`, tables and keys: the data model view.
public struct EngineDataModel: Decodable, Sendable, Equatable {
    public struct Table: Decodable, Sendable, Equatable {
        public struct Field: Decodable, Sendable, Equatable {
            public let qName: String
            public let qnTotalDistinctValues: Int?
            public let qnRows: Int?
            /// NOT_KEY, ANY_KEY, PRIMARY_KEY or PERFECT_KEY.
            public let qKeyType: String?
            public let qTags: [String]?
        }
        public let qName: String
        public let qNoOfRows: Int?
        public let qFields: [Field]?
        public let qIsSynthetic: Bool?
        public let qLoose: Bool?
    }
    /// `SourceKeyRecord`: tables that share key fields.
    public struct Key: Decodable, Sendable, Equatable {
        public let qKeyFields: [String]?
        public let qTables: [String]?
    }
    public let qtr: [Table]
    public let qk: [Key]?
}

extension EngineCalls {
    private typealias Returned = EngineReturned

    public func openDoc(_ appID: String) async throws(EngineError) -> Int {
        try await call("OpenDoc", handle: -1, params: "[\(JSONString.quote(appID))]", as: Returned<EngineSession.Handle>.self).qReturn.qHandle
    }

    /// `GetAllInfos`: every object of the app.
    public func allInfos(doc: Int) async throws(EngineError) -> [EngineObjectInfo] {
        try await call("GetAllInfos", handle: doc, params: "[]", as: EngineInfosAnswer.self).qInfos
    }

    /// `GetObject`: the object's handle.
    public func object(doc: Int, id: String) async throws(EngineError) -> Int {
        try await returnedHandle("GetObject", handle: doc, id: id)
    }

    public func dimension(doc: Int, id: String) async throws(EngineError) -> Int {
        try await returnedHandle("GetDimension", handle: doc, id: id)
    }

    public func measure(doc: Int, id: String) async throws(EngineError) -> Int {
        try await returnedHandle("GetMeasure", handle: doc, id: id)
    }

    private func returnedHandle(_ method: String, handle: Int, id: String) async throws(EngineError) -> Int {
        let returned = try await call(method, handle: handle, params: "[\(JSONString.quote(id))]", as: Returned<EngineMaybeHandle>.self).qReturn
        // The engine answers an unknown id with a return without a handle, not an error.
        guard let handle = returned.qHandle else { throw .rpc(code: 2, parameter: id, message: "the app has no object with this id", method: method) }
        return handle
    }

    /// `GetLayout`, decoded as `T` (its `qLayout`).
    public func layout<T: Decodable>(of handle: Int, as type: T.Type) async throws(EngineError) -> T {
        try await call("GetLayout", handle: handle, params: "[]", as: EngineLayoutAnswer<T>.self).qLayout
    }

    /// `GetProperties`, decoded as `T` (its `qProp`).
    public func properties<T: Decodable>(of handle: Int, as type: T.Type) async throws(EngineError) -> T {
        try await call("GetProperties", handle: handle, params: "[]", as: EnginePropertiesAnswer<T>.self).qProp
    }

    /// `CreateSessionObject` with `definition` (the properties as JSON text); the new object's handle.
    public func sessionObject(doc: Int, definition: String) async throws(EngineError) -> Int {
        try await call("CreateSessionObject", handle: doc, params: "[\(definition)]", as: Returned<EngineSession.Handle>.self).qReturn.qHandle
    }

    /// The master dimensions, through a `qDimensionListDef` session object.
    public func masterDimensions(doc: Int) async throws(EngineError) -> [EngineListItem] {
        let handle = try await sessionObject(doc: doc, definition: #"{"qInfo":{"qType":"DimensionList"},"qDimensionListDef":{"qType":"dimension","qData":{"title":"/qMetaDef/title","description":"/qMetaDef/description","dim":"/qDim"}}}"#)
        return try await layout(of: handle, as: EngineListLayout<EngineListItem>.self).items
    }

    /// The master measures, through a `qMeasureListDef` session object.
    public func masterMeasures(doc: Int) async throws(EngineError) -> [EngineListItem] {
        let handle = try await sessionObject(doc: doc, definition: #"{"qInfo":{"qType":"MeasureList"},"qMeasureListDef":{"qType":"measure","qData":{"title":"/qMetaDef/title","description":"/qMetaDef/description","measure":"/qMeasure"}}}"#)
        return try await layout(of: handle, as: EngineListLayout<EngineListItem>.self).items
    }

    /// The app's variables (not the reserved or configuration ones), through a `qVariableListDef` session object.
    public func variables(doc: Int) async throws(EngineError) -> [EngineVariableItem] {
        let handle = try await sessionObject(doc: doc, definition: #"{"qInfo":{"qType":"VariableList"},"qVariableListDef":{"qType":"variable","qShowReserved":false,"qShowConfig":false,"qData":{}}}"#)
        return try await layout(of: handle, as: EngineListLayout<EngineVariableItem>.self).items
    }

    /// The app's bookmarks, through a `qBookmarkListDef` session object.
    public func bookmarks(doc: Int) async throws(EngineError) -> [EngineListItem] {
        let handle = try await sessionObject(doc: doc, definition: #"{"qInfo":{"qType":"BookmarkList"},"qBookmarkListDef":{"qType":"bookmark","qData":{"title":"/qMetaDef/title","description":"/qMetaDef/description"}}}"#)
        return try await layout(of: handle, as: EngineListLayout<EngineListItem>.self).items
    }

    /// `GetTablesAndKeys`: tables, their fields and keys, as the data model viewer shows them.
    public func dataModel(doc: Int) async throws(EngineError) -> EngineDataModel {
        try await call("GetTablesAndKeys", handle: doc, params: #"[{"qcx":0,"qcy":0},{"qcx":0,"qcy":0},0,false,false]"#, as: EngineDataModel.self)
    }
}

struct EngineReturned<Value: Decodable & Sendable>: Decodable, Sendable { let qReturn: Value }
struct EngineInfosAnswer: Decodable { let qInfos: [EngineObjectInfo] }
struct EngineMaybeHandle: Decodable, Sendable { let qHandle: Int? }
struct EngineLayoutAnswer<T: Decodable>: Decodable { let qLayout: T }
struct EnginePropertiesAnswer<T: Decodable>: Decodable { let qProp: T }

/// A list object's layout: the items under whichever list key it has (`qDimensionList`, `qMeasureList`, ...).
struct EngineListLayout<Item: Decodable>: Decodable {
    struct List: Decodable { let qItems: [Item]? }
    let items: [Item]
    struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var found: [Item] = []
        for name in ["qDimensionList", "qMeasureList", "qVariableList", "qBookmarkList"] where container.contains(Key(stringValue: name)) {
            found = try container.decodeIfPresent(List.self, forKey: Key(stringValue: name))?.qItems ?? []
            break
        }
        items = found
    }
}
