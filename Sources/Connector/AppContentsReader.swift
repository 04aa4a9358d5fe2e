import QlikCloudAPI

/// Reads an app's ``AppContents`` over one engine session. Pipelined, the
/// calls of one step are all in flight at once (the lists, the data model and
/// every object's chain), so an app costs a handful of round trips whatever
/// it holds; otherwise one request at a time, as simple clients do. A call
/// the engine refuses becomes a ``Problem`` naming the object, never a
/// failed app.
struct AppContentsReader: Sendable {
    let engine: any EngineCalls
    let pipelined: Bool

    /// Object types that are not visualizations on a sheet.
    static let notCharts: Set<String> = ["sheet", "dimension", "measure", "bookmark", "variable", "story", "slide", "slideitem", "snapshot",
                                         "embeddedsnapshot", "appprops", "LoadModel", "masterobject", "DimensionList", "MeasureList",
                                         "VariableList", "BookmarkList", "SheetList", "MasterObjectList", "AppPropsList", "FieldList"]

    /// The first step's answers: the object list, the four item lists and the data model.
    private struct Lists: Sendable {
        var infos: Result<[EngineObjectInfo], EngineError>
        var dimensions: Result<[EngineListItem], EngineError>
        var measures: Result<[EngineListItem], EngineError>
        var variables: Result<[EngineVariableItem], EngineError>
        var bookmarks: Result<[EngineListItem], EngineError>
        var model: Result<EngineDataModel, EngineError>
    }

    private func lists(doc: Int) async -> Lists {
        guard pipelined else {
            return Lists(infos: await attempt { try await engine.allInfos(doc: doc) }, dimensions: await attempt { try await engine.masterDimensions(doc: doc) },
                         measures: await attempt { try await engine.masterMeasures(doc: doc) }, variables: await attempt { try await engine.variables(doc: doc) },
                         bookmarks: await attempt { try await engine.bookmarks(doc: doc) }, model: await attempt { try await engine.dataModel(doc: doc) })
        }
        async let infos = attempt { try await engine.allInfos(doc: doc) }
        async let dimensions = attempt { try await engine.masterDimensions(doc: doc) }
        async let measures = attempt { try await engine.masterMeasures(doc: doc) }
        async let variables = attempt { try await engine.variables(doc: doc) }
        async let bookmarks = attempt { try await engine.bookmarks(doc: doc) }
        async let model = attempt { try await engine.dataModel(doc: doc) }
        return Lists(infos: await infos, dimensions: await dimensions, measures: await measures, variables: await variables,
                     bookmarks: await bookmarks, model: await model)
    }

    func read(doc: Int) async -> AppContents {
        var contents = AppContents()
        var problems: [Problem] = []
        let lists = await lists(doc: doc)
        let infos = lists.infos
        let objectInfos = (try? infos.get()) ?? []
        let sheetInfos = objectInfos.filter { $0.qType == "sheet" }
        let chartInfos = objectInfos.filter { !Self.notCharts.contains($0.qType) }
        // Sheets and charts in one step: each chain (GetObject, then GetLayout and GetProperties) runs beside the others.
        let objects = sheetInfos.map { (id: $0.qId, isSheet: true) } + chartInfos.map { (id: $0.qId, isSheet: false) }
        let objectsRead = await map(objects) { object -> ObjectRead in
            if object.isSheet { return .sheet(await attempt { try await sheet(doc: doc, object.id) }) }
            return .chart(await attempt { try await chart(doc: doc, object.id) })
        }
        let sheetsRead = objectsRead.prefix(sheetInfos.count).map { read -> Result<EngineObjectLayout, EngineError> in
            if case .sheet(let result) = read { return result }
            return .failure(.malformed("not a sheet"))
        }
        let chartsRead = objectsRead.dropFirst(sheetInfos.count).map { read -> Result<ChartRead, EngineError> in
            if case .chart(let result) = read { return result }
            return .failure(.malformed("not a chart"))
        }

        if case .failure(let error) = infos { problems.append(Problem(object: "app objects (GetAllInfos)", message: error.description)) }
        switch lists.model {
        case .success(let model): contents.dataModel = Self.dataModel(model)
        case .failure(let error): problems.append(Problem(object: "data model (GetTablesAndKeys)", message: error.description))
        }
        let known: Set<String>? = contents.dataModel.map { Set($0.tables.flatMap { $0.fields.map(\.name) }) }

        switch lists.dimensions {
        case .success(let items): contents.masterDimensions = await masterDimensions(items, doc: doc, known: known, problems: &problems)
        case .failure(let error): problems.append(Problem(object: "master dimensions (qDimensionListDef)", message: error.description))
        }
        switch lists.measures {
        case .success(let items): contents.masterMeasures = await masterMeasures(items, doc: doc, known: known, problems: &problems)
        case .failure(let error): problems.append(Problem(object: "master measures (qMeasureListDef)", message: error.description))
        }
        switch lists.variables {
        case .success(let items):
            contents.variables = items.filter { $0.qIsReserved != true && $0.qIsConfig != true }.map {
                AppContents.Variable(name: $0.qName, definition: $0.qDefinition, description: $0.qDescription, createdByScript: $0.qIsScriptCreated)
            }
        case .failure(let error): problems.append(Problem(object: "variables (qVariableListDef)", message: error.description))
        }
        switch lists.bookmarks {
        case .success(let items):
            contents.bookmarks = items.map { AppContents.Bookmark(id: $0.qInfo.qId, title: $0.qMeta?.title ?? $0.qData?.title, description: $0.qMeta?.description ?? $0.qData?.description) }
        case .failure(let error): problems.append(Problem(object: "bookmarks (qBookmarkListDef)", message: error.description))
        }

        // Charts by id, then placed on the sheets that hold them, in the sheet's order.
        var charts: [String: ChartRead] = [:]
        for (info, read) in zip(chartInfos, chartsRead) {
            switch read {
            case .success(let chart): charts[info.qId] = chart
            case .failure(let error): charts[info.qId] = ChartRead(failure: error, type: info.qType)
            }
        }
        // Objects some sheet lists: their problems are said there.
        var placed = Set<String>()
        for (info, read) in zip(sheetInfos, sheetsRead) {
            switch read {
            case .failure(let error):
                problems.append(Problem(object: "sheet \(info.qId)", message: error.description))
            case .success(let layout):
                let title = layout.qMeta?.title ?? layout.title?.text
                var sheet = AppContents.Sheet(id: info.qId, title: title, description: layout.qMeta?.description,
                                              owner: layout.qMeta?.owner?.name ?? layout.qMeta?.owner?.userId ?? layout.qMeta?.owner?.id ?? layout.qMeta?.ownerId,
                                              published: layout.qMeta?.published, charts: [])
                let childIDs = (layout.qChildList?.qItems ?? []).map(\.qInfo.qId) + (layout.cells ?? []).compactMap(\.name)
                var seen = Set<String>()
                placed.formUnion(childIDs)
                for id in childIDs where seen.insert(id).inserted {
                    let place = "chart \(id) on sheet '\(title ?? info.qId)'"
                    guard let read = charts[id] else {
                        problems.append(Problem(object: place, message: "The sheet lists this object, but the app has no object with this id."))
                        continue
                    }
                    if let failure = read.failure {
                        problems.append(Problem(object: place, message: failure.description))
                        continue
                    }
                    sheet.charts.append(chartEntry(read, id: id, place: place, charts: charts, masterDimensions: contents.masterDimensions,
                                                   masterMeasures: contents.masterMeasures, known: known, problems: &problems))
                }
                contents.sheets.append(sheet)
            }
        }
        // An object no sheet shows (a master visualization) is not catalogued, but a failure to read it is still said.
        for info in chartInfos where !placed.contains(info.qId) {
            if let failure = charts[info.qId]?.failure { problems.append(Problem(object: "\(info.qType) \(info.qId)", message: failure.description)) }
        }
        contents.problems = problems
        return contents
    }

    // MARK: Objects

    private enum ObjectRead: Sendable {
        case sheet(Result<EngineObjectLayout, EngineError>)
        case chart(Result<ChartRead, EngineError>)
    }

    /// A chart's layout and properties; a filter pane's list boxes come through its children.
    struct ChartRead: Sendable {
        var layout: EngineObjectLayout?
        var properties: EngineChartProperties?
        var propertiesFailure: EngineError?
        var failure: EngineError?
        var type: String?
    }

    private func sheet(doc: Int, _ id: String) async throws(EngineError) -> EngineObjectLayout {
        let handle = try await engine.object(doc: doc, id: id)
        return try await engine.layout(of: handle, as: EngineObjectLayout.self)
    }

    private func chart(doc: Int, _ id: String) async throws(EngineError) -> ChartRead {
        let handle = try await engine.object(doc: doc, id: id)
        let layout: Result<EngineObjectLayout, EngineError>
        let properties: Result<EngineChartProperties, EngineError>
        if pipelined {
            async let layoutRead = attempt { try await engine.layout(of: handle, as: EngineObjectLayout.self) }
            async let propertiesRead = attempt { try await engine.properties(of: handle, as: EngineChartProperties.self) }
            (layout, properties) = (await layoutRead, await propertiesRead)
        } else {
            layout = await attempt { try await engine.layout(of: handle, as: EngineObjectLayout.self) }
            properties = await attempt { try await engine.properties(of: handle, as: EngineChartProperties.self) }
        }
        var read = ChartRead()
        read.layout = try layout.get()
        switch properties {
        case .success(let value): read.properties = value
        case .failure(let error): read.propertiesFailure = error
        }
        return read
    }

    private func chartEntry(_ read: ChartRead, id: String, place: String, charts: [String: ChartRead], masterDimensions: [AppContents.MasterDimension],
                            masterMeasures: [AppContents.MasterMeasure], known: Set<String>?,
                            problems: inout [Problem]) -> AppContents.Chart {
        let layout = read.layout
        let properties = read.properties
        if let failure = read.propertiesFailure { problems.append(Problem(object: place, message: "Its properties could not be read: \(failure.description)")) }
        if let error = layout?.qError ?? layout?.qHyperCube?.qError {
            problems.append(Problem(object: place, message: "The engine reports an error in it: \(Self.describe(error))"))
        }
        let dimensionInfo = layout?.qHyperCube?.qDimensionInfo ?? []
        let measureInfo = layout?.qHyperCube?.qMeasureInfo ?? []
        var dimensions: [AppContents.ChartDimension] = []
        var measures: [AppContents.ChartMeasure] = []
        func dimension(libraryID: String?, definitions: [String], label: String?, index: Int) -> AppContents.ChartDimension {
            if let libraryID, !libraryID.isEmpty {
                guard let master = masterDimensions.first(where: { $0.id == libraryID }) else {
                    problems.append(Problem(object: place, message: "Dimension \(index + 1) uses master dimension '\(libraryID)', which the app does not have."))
                    return AppContents.ChartDimension(label: label, masterItem: AppContents.MasterItemReference(id: libraryID, title: nil), definitions: [], fields: [])
                }
                return AppContents.ChartDimension(label: label ?? master.title, masterItem: AppContents.MasterItemReference(id: libraryID, title: master.title),
                                                  definitions: master.definitions, fields: master.fields)
            }
            return AppContents.ChartDimension(label: label, masterItem: nil, definitions: definitions, fields: Self.fields(definitions, known: known))
        }
        if let definition = properties?.qHyperCubeDef {
            for (index, item) in (definition.qDimensions ?? []).enumerated() {
                let label = index < dimensionInfo.count ? dimensionInfo[index].qFallbackTitle : item.qDef?.qFieldLabels?.first
                dimensions.append(dimension(libraryID: item.qLibraryId, definitions: item.qDef?.qFieldDefs ?? [], label: label, index: index))
            }
            for (index, item) in (definition.qMeasures ?? []).enumerated() {
                let label = index < measureInfo.count ? measureInfo[index].qFallbackTitle : item.qDef?.qLabel
                if let libraryID = item.qLibraryId, !libraryID.isEmpty {
                    if let master = masterMeasures.first(where: { $0.id == libraryID }) {
                        measures.append(AppContents.ChartMeasure(label: label ?? master.title, masterItem: AppContents.MasterItemReference(id: libraryID, title: master.title),
                                                                 expression: master.expression, fields: master.fields))
                    } else {
                        problems.append(Problem(object: place, message: "Measure \(index + 1) uses master measure '\(libraryID)', which the app does not have."))
                        measures.append(AppContents.ChartMeasure(label: label, masterItem: AppContents.MasterItemReference(id: libraryID, title: nil), expression: nil, fields: []))
                    }
                } else {
                    let expression = item.qDef?.qDef
                    measures.append(AppContents.ChartMeasure(label: label, masterItem: nil, expression: expression,
                                                             fields: expression.map { ExpressionFields.names(in: $0, knownFields: known) } ?? []))
                }
            }
        } else if let list = properties?.qListObjectDef {
            dimensions.append(dimension(libraryID: list.qLibraryId, definitions: list.qDef?.qFieldDefs ?? [], label: list.qDef?.qFieldLabels?.first, index: 0))
        } else if properties == nil {
            // Without properties, the layout still says which master items and fields the cube uses.
            for (index, info) in dimensionInfo.enumerated() {
                dimensions.append(dimension(libraryID: info.qLibraryId, definitions: info.qGroupFieldDefs ?? [], label: info.qFallbackTitle, index: index))
            }
            for info in measureInfo {
                let master = info.qLibraryId.flatMap { id in masterMeasures.first { $0.id == id } }
                measures.append(AppContents.ChartMeasure(label: info.qFallbackTitle, masterItem: info.qLibraryId.map { AppContents.MasterItemReference(id: $0, title: master?.title) },
                                                         expression: master?.expression, fields: master?.fields ?? []))
            }
        }
        // A filter pane (or any container) shows its children's dimensions.
        for child in layout?.qChildList?.qItems ?? [] {
            guard let childRead = charts[child.qInfo.qId], let list = childRead.properties?.qListObjectDef else { continue }
            dimensions.append(dimension(libraryID: list.qLibraryId, definitions: list.qDef?.qFieldDefs ?? [], label: list.qDef?.qFieldLabels?.first, index: dimensions.count))
        }
        let type = properties?.visualization ?? layout?.visualization ?? properties?.qInfo.qType ?? layout?.qInfo.qType ?? read.type ?? "unknown"
        let title = layout?.title?.text ?? properties?.title?.text ?? layout?.qMeta?.title ?? properties?.qMetaDef?.title
        return AppContents.Chart(id: id, type: type, title: title.flatMap { $0.isEmpty ? nil : $0 }, dimensions: dimensions, measures: measures)
    }

    // MARK: Master items

    private func masterDimensions(_ items: [EngineListItem], doc: Int, known: Set<String>?, problems: inout [Problem]) async -> [AppContents.MasterDimension] {
        // Engines that resolve the list's `/qDim` path send definitions with it; otherwise each is read with GetDimension.
        let definitions = await map(items) { item -> Result<EngineDimensionDef?, EngineError> in
            if let dim = item.qData?.dim { return .success(dim) }
            return await attempt {
                let handle = try await engine.dimension(doc: doc, id: item.qInfo.qId)
                return try await engine.properties(of: handle, as: EngineMasterItemProperties.self).qDim
            }
        }
        return zip(items, definitions).map { item, read in
            let title = item.qMeta?.title ?? item.qData?.title
            var fieldDefinitions: [String] = []
            switch read {
            case .success(let definition): fieldDefinitions = definition?.qFieldDefs ?? []
            case .failure(let error): problems.append(Problem(object: "master dimension '\(title ?? item.qInfo.qId)' (\(item.qInfo.qId))", message: error.description))
            }
            return AppContents.MasterDimension(id: item.qInfo.qId, title: title, description: item.qMeta?.description ?? item.qData?.description,
                                               definitions: fieldDefinitions, fields: Self.fields(fieldDefinitions, known: known))
        }
    }

    private func masterMeasures(_ items: [EngineListItem], doc: Int, known: Set<String>?, problems: inout [Problem]) async -> [AppContents.MasterMeasure] {
        let definitions = await map(items) { item -> Result<EngineMeasureDef?, EngineError> in
            if let measure = item.qData?.measure { return .success(measure) }
            return await attempt {
                let handle = try await engine.measure(doc: doc, id: item.qInfo.qId)
                return try await engine.properties(of: handle, as: EngineMasterItemProperties.self).qMeasure
            }
        }
        return zip(items, definitions).map { item, read in
            let title = item.qMeta?.title ?? item.qData?.title
            var definition: EngineMeasureDef?
            switch read {
            case .success(let value): definition = value
            case .failure(let error): problems.append(Problem(object: "master measure '\(title ?? item.qInfo.qId)' (\(item.qInfo.qId))", message: error.description))
            }
            let expression = definition?.qDef
            return AppContents.MasterMeasure(id: item.qInfo.qId, title: title, description: item.qMeta?.description ?? item.qData?.description,
                                             expression: expression, label: definition?.qLabel,
                                             fields: expression.map { ExpressionFields.names(in: $0, knownFields: known) } ?? [])
        }
    }

    // MARK: Helpers

    /// Field definitions (`Region`, `=Year(OrderDate)`) as the fields they name.
    static func fields(_ definitions: [String], known: Set<String>?) -> [String] {
        var all: [String] = []
        for definition in definitions {
            let names = definition.hasPrefix("=") ? ExpressionFields.names(in: definition, knownFields: known) : [definition]
            for name in names where !all.contains(name) { all.append(name) }
        }
        return all
    }

    static func dataModel(_ model: EngineDataModel) -> AppContents.DataModel {
        AppContents.DataModel(
            tables: model.qtr.map { table in
                AppContents.DataModel.Table(name: table.qName, rows: table.qNoOfRows, synthetic: table.qIsSynthetic ?? false,
                                            fields: (table.qFields ?? []).map { AppContents.DataModel.Field(name: $0.qName, distinctValues: $0.qnTotalDistinctValues, keyType: $0.qKeyType) })
            },
            keys: (model.qk ?? []).map { AppContents.DataModel.Key(fields: $0.qKeyFields ?? [], tables: $0.qTables ?? []) })
    }

    static func describe(_ error: EngineObjectError) -> String {
        [error.qErrorCode.map { "error \($0)" }, error.qContext, error.qExtendedMessage].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
    }

    /// Runs `body`, its error kept as a value so one refusal does not stop the rest.
    private func attempt<T: Sendable>(_ body: () async throws -> T) async -> Result<T, EngineError> {
        do {
            return .success(try await body())
        } catch let error as EngineError {
            return .failure(error)
        } catch {
            // Only engine calls run here; anything else is still said, never dropped.
            return .failure(.malformed("\(error)"))
        }
    }

    /// `transform` over `items` in order: all at once when pipelined, else one after another.
    private func map<T: Sendable, R: Sendable>(_ items: [T], _ transform: @escaping @Sendable (T) async -> R) async -> [R] {
        guard pipelined else {
            var results: [R] = []
            for item in items { results.append(await transform(item)) }
            return results
        }
        return await withTaskGroup(of: (Int, R).self) { group in
            for (index, item) in items.enumerated() { group.addTask { (index, await transform(item)) } }
            var results = [R?](repeating: nil, count: items.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
    }
}
