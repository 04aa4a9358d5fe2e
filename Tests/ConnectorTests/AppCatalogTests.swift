@testable import Connector
import Foundation
import QlikCloudAPI
import Synchronization
import Testing

/// The most calls that were ever running at once.
private final class InFlight: Sendable {
    private let state = Mutex((now: 0, most: 0))
    func enter() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
    func leave() { state.withLock { $0.now -= 1 } }
    var most: Int { state.withLock { $0.most } }
}

/// An engine that answers from a table of canned results shaped as Qlik's engine API defines them.
/// Keys: "Method@handle" (or "Method@handle:param" for calls naming an object id or a list type).
private struct FakeEngine: EngineCalls {
    let answers: [String: String]
    let inFlight = InFlight()

    func call<T: Decodable>(_ method: String, handle: Int, params: String, as type: T.Type) async throws(EngineError) -> T {
        inFlight.enter()
        defer { inFlight.leave() }
        await Task.yield()
        let key = Self.key(method, handle: handle, params: params)
        guard let answer = answers[key] ?? answers["\(method)@\(handle)"] else {
            throw .rpc(code: -32601, parameter: "", message: "Method not found (\(key))", method: method)
        }
        if answer.hasPrefix("error:") { throw .rpc(code: 2, parameter: "", message: String(answer.dropFirst(6)), method: method) }
        do { return try JSONDecoder().decode(T.self, from: Data(answer.utf8)) } catch { throw .malformed("\(key): \(error)") }
    }

    static func key(_ method: String, handle: Int, params: String) -> String {
        if let list = ["qDimensionListDef", "qMeasureListDef", "qVariableListDef", "qBookmarkListDef"].first(where: params.contains) { return "\(method)@\(handle):\(list)" }
        if params.hasPrefix("[\""), let end = params.dropFirst(2).firstIndex(of: "\"") { return "\(method)@\(handle):\(params[params.index(params.startIndex, offsetBy: 2)..<end])" }
        return "\(method)@\(handle)"
    }
}

/// A Sales app: two sheets, four charts (one with a master dimension that does not exist, one whose layout fails),
/// master items, a variable, a bookmark and a two-table data model.
private let salesApp: [String: String] = [
    "GetAllInfos@1": #"{"qInfos":[{"qId":"s1","qType":"sheet"},{"qId":"s2","qType":"sheet"},{"qId":"c1","qType":"barchart"},{"qId":"c2","qType":"kpi"},{"qId":"c3","qType":"linechart"},{"qId":"c4","qType":"table"},{"qId":"d1","qType":"dimension"},{"qId":"m1","qType":"measure"}]}"#,
    "CreateSessionObject@1:qDimensionListDef": #"{"qReturn":{"qType":"GenericObject","qHandle":10,"qGenericId":"DL"}}"#,
    "CreateSessionObject@1:qMeasureListDef": #"{"qReturn":{"qType":"GenericObject","qHandle":11,"qGenericId":"ML"}}"#,
    "CreateSessionObject@1:qVariableListDef": #"{"qReturn":{"qType":"GenericObject","qHandle":12,"qGenericId":"VL"}}"#,
    "CreateSessionObject@1:qBookmarkListDef": #"{"qReturn":{"qType":"GenericObject","qHandle":13,"qGenericId":"BL"}}"#,
    "GetLayout@10": #"{"qLayout":{"qInfo":{"qId":"DL","qType":"DimensionList"},"qDimensionList":{"qItems":[{"qInfo":{"qId":"d1","qType":"dimension"},"qMeta":{"title":"Region"},"qData":{"title":"Region"}}]}}}"#,
    "GetLayout@11": #"{"qLayout":{"qInfo":{"qId":"ML","qType":"MeasureList"},"qMeasureList":{"qItems":[{"qInfo":{"qId":"m1","qType":"measure"},"qMeta":{"title":"Revenue"},"qData":{"title":"Revenue","measure":{"qDef":"Sum([Sales Amount])","qLabel":"Revenue"}}}]}}}"#,
    "GetLayout@12": #"{"qLayout":{"qInfo":{"qId":"VL","qType":"VariableList"},"qVariableList":{"qItems":[{"qName":"vYear","qDefinition":"2024","qInfo":{"qId":"v1","qType":"variable"}}]}}}"#,
    "GetLayout@13": #"{"qLayout":{"qInfo":{"qId":"BL","qType":"BookmarkList"},"qBookmarkList":{"qItems":[{"qInfo":{"qId":"b1","qType":"bookmark"},"qMeta":{"title":"EU only","description":"Region = EU"}}]}}}"#,
    // The master dimension's definition is not in the list's qData: it is read with GetDimension.
    "GetDimension@1:d1": #"{"qReturn":{"qType":"GenericDimension","qHandle":20,"qGenericId":"d1"}}"#,
    "GetProperties@20": #"{"qProp":{"qInfo":{"qId":"d1","qType":"dimension"},"qDim":{"qGrouping":"N","qFieldDefs":["Region"],"qFieldLabels":[""]},"qMetaDef":{"title":"Region"}}}"#,
    "GetTablesAndKeys@1": #"{"qtr":[{"qName":"Orders","qNoOfRows":5,"qFields":[{"qName":"OrderID","qnTotalDistinctValues":5,"qKeyType":"NOT_KEY"},{"qName":"CustomerID","qnTotalDistinctValues":3,"qKeyType":"ANY_KEY"},{"qName":"Sales Amount","qnTotalDistinctValues":5,"qKeyType":"NOT_KEY"}]},{"qName":"Customers","qNoOfRows":3,"qFields":[{"qName":"CustomerID","qnTotalDistinctValues":3,"qKeyType":"PRIMARY_KEY"},{"qName":"Region","qnTotalDistinctValues":2,"qKeyType":"NOT_KEY"}]}],"qk":[{"qKeyFields":["CustomerID"],"qTables":["Orders","Customers"]}]}"#,
    "GetObject@1:s1": #"{"qReturn":{"qType":"GenericObject","qHandle":30,"qGenericId":"s1"}}"#,
    "GetObject@1:s2": #"{"qReturn":{"qType":"GenericObject","qHandle":31,"qGenericId":"s2"}}"#,
    "GetObject@1:c1": #"{"qReturn":{"qType":"GenericObject","qHandle":40,"qGenericId":"c1"}}"#,
    "GetObject@1:c2": #"{"qReturn":{"qType":"GenericObject","qHandle":41,"qGenericId":"c2"}}"#,
    "GetObject@1:c3": #"{"qReturn":{"qType":"GenericObject","qHandle":42,"qGenericId":"c3"}}"#,
    "GetObject@1:c4": #"{"qReturn":{"qType":"GenericObject","qHandle":43,"qGenericId":"c4"}}"#,
    "GetLayout@30": #"{"qLayout":{"qInfo":{"qId":"s1","qType":"sheet"},"qMeta":{"title":"Overview","description":"Sales at a glance","published":true,"owner":{"id":"u1","userId":"ada","name":"Ada"}},"qChildList":{"qItems":[{"qInfo":{"qId":"c1","qType":"barchart"},"qData":{}},{"qInfo":{"qId":"c2","qType":"kpi"},"qData":{}}]}}}"#,
    "GetLayout@31": #"{"qLayout":{"qInfo":{"qId":"s2","qType":"sheet"},"qMeta":{"title":"Details","published":false},"cells":[{"name":"c3","type":"linechart"},{"name":"c4","type":"table"}]}}"#,
    "GetLayout@40": #"{"qLayout":{"qInfo":{"qId":"c1","qType":"barchart"},"visualization":"barchart","title":"Revenue by region","qHyperCube":{"qDimensionInfo":[{"qFallbackTitle":"Region","qLibraryId":"d1"}],"qMeasureInfo":[{"qFallbackTitle":"Revenue","qLibraryId":"m1"}]}}}"#,
    "GetProperties@40": #"{"qProp":{"qInfo":{"qId":"c1","qType":"barchart"},"visualization":"barchart","title":"Revenue by region","qHyperCubeDef":{"qDimensions":[{"qLibraryId":"d1","qDef":{"qFieldDefs":[]}}],"qMeasures":[{"qLibraryId":"m1","qDef":{"qDef":""}}]}}}"#,
    "GetLayout@41": #"{"qLayout":{"qInfo":{"qId":"c2","qType":"kpi"},"visualization":"kpi","title":{"qStringExpression":{"qExpr":"='Orders'"}},"qHyperCube":{"qDimensionInfo":[],"qMeasureInfo":[{"qFallbackTitle":"Orders"}]}}}"#,
    "GetProperties@41": #"{"qProp":{"qInfo":{"qId":"c2","qType":"kpi"},"visualization":"kpi","qHyperCubeDef":{"qDimensions":[],"qMeasures":[{"qDef":{"qDef":"Count(DISTINCT OrderID)","qLabel":"Orders"}}]}}}"#,
    "GetLayout@42": #"{"qLayout":{"qInfo":{"qId":"c3","qType":"linechart"},"visualization":"linechart","title":"Broken","qHyperCube":{"qDimensionInfo":[{"qFallbackTitle":"","qLibraryId":"gone"}],"qMeasureInfo":[]}}}"#,
    "GetProperties@42": #"{"qProp":{"qInfo":{"qId":"c3","qType":"linechart"},"visualization":"linechart","qHyperCubeDef":{"qDimensions":[{"qLibraryId":"gone"}],"qMeasures":[]}}}"#,
    "GetLayout@43": "error:Calculation timed out",
    "GetProperties@43": #"{"qProp":{"qInfo":{"qId":"c4","qType":"table"}}}"#,
]

@Suite("discover: an app's contents read over the engine")
struct AppCatalogTests {
    private func read(pipelined: Bool = true) async -> AppContents {
        await AppContentsReader(engine: FakeEngine(answers: salesApp), pipelined: pipelined).read(doc: 1)
    }

    @Test("expressions name the fields they use: brackets, DISTINCT, bare names, set analysis; functions, quoted text and set values are not fields")
    func expressionFields() {
        #expect(ExpressionFields.names(in: "Sum([Sales Amount])") == ["Sales Amount"])
        #expect(ExpressionFields.names(in: "Count(DISTINCT OrderID)") == ["OrderID"])
        #expect(ExpressionFields.names(in: "Region") == ["Region"])
        #expect(ExpressionFields.names(in: "=Sum({<Year={2024}, Region={'EU'}>} Sales) / Count(TOTAL [Order ID])") == ["Year", "Region", "Sales", "Order ID"])
        #expect(ExpressionFields.names(in: "If(Region = 'EU', 1.5e3 * Price, $(vRate))") == ["Region", "Price"])
        #expect(ExpressionFields.names(in: "Sum(Sales) * Margin", knownFields: ["Sales"]) == ["Sales"])
    }

    @Test("sheets carry title, description, owner and published; their charts carry type, title, and dimensions and measures resolved to master items and fields")
    func sheetsAndCharts() async throws {
        let contents = await read()
        #expect(contents.sheets.map(\.title) == ["Overview", "Details"])
        let overview = try #require(contents.sheets.first)
        #expect(overview.description == "Sales at a glance" && overview.published == true && overview.owner == "Ada")
        let bar = try #require(overview.charts.first)
        #expect(bar.type == "barchart" && bar.title == "Revenue by region")
        #expect(bar.dimensions.first?.masterItem == AppContents.MasterItemReference(id: "d1", title: "Region"))
        #expect(bar.measures.first?.masterItem?.title == "Revenue" && bar.measures.first?.expression == "Sum([Sales Amount])")
        #expect(bar.fields == ["Region", "Sales Amount"])
        let kpi = try #require(overview.charts.last)
        #expect(kpi.type == "kpi" && kpi.title == nil && kpi.fields == ["OrderID"])
    }

    @Test("master items carry their definitions and the fields they reference; variables, bookmarks and the data model with keys are read")
    func masterItemsAndModel() async {
        let contents = await read()
        #expect(contents.masterDimensions == [AppContents.MasterDimension(id: "d1", title: "Region", description: nil, definitions: ["Region"], fields: ["Region"])])
        #expect(contents.masterMeasures.first?.fields == ["Sales Amount"] && contents.masterMeasures.first?.expression == "Sum([Sales Amount])")
        #expect(contents.variables == [AppContents.Variable(name: "vYear", definition: "2024", description: nil, createdByScript: nil)])
        #expect(contents.bookmarks == [AppContents.Bookmark(id: "b1", title: "EU only", description: "Region = EU")])
        #expect(contents.dataModel?.tables.map(\.name) == ["Orders", "Customers"] && contents.dataModel?.tables.first?.rows == 5)
        #expect(contents.dataModel?.keys == [AppContents.DataModel.Key(fields: ["CustomerID"], tables: ["Orders", "Customers"])])
    }

    @Test("a chart whose master dimension does not exist is kept and noted; a chart whose layout fails is noted; the rest of the sheet is read")
    func brokenCharts() async throws {
        let contents = await read()
        let details = try #require(contents.sheets.last)
        #expect(details.charts.map(\.id) == ["c3"])
        #expect(details.charts.first?.dimensions.first?.masterItem == AppContents.MasterItemReference(id: "gone", title: nil))
        #expect(contents.problems.contains { $0.object.contains("c3") && $0.message.contains("master dimension 'gone'") })
        #expect(contents.problems.contains { $0.object.contains("c4") && $0.message.contains("Calculation timed out") })
        #expect(contents.problems.count == 2)
    }

    @Test("a method the engine refuses (the variable list, GetAllInfos) is a problem naming it; everything else is still read")
    func refusedMethods() async {
        var answers = salesApp
        answers["CreateSessionObject@1:qVariableListDef"] = nil
        let withoutVariables = await AppContentsReader(engine: FakeEngine(answers: answers), pipelined: true).read(doc: 1)
        #expect(withoutVariables.variables.isEmpty && withoutVariables.sheets.count == 2 && withoutVariables.bookmarks.count == 1)
        #expect(withoutVariables.problems.contains { $0.object == "variables (qVariableListDef)" && $0.message.contains("Method not found") })
        answers["GetAllInfos@1"] = nil
        let withoutObjects = await AppContentsReader(engine: FakeEngine(answers: answers), pipelined: true).read(doc: 1)
        #expect(withoutObjects.sheets.isEmpty && withoutObjects.masterMeasures.count == 1 && withoutObjects.dataModel != nil)
        #expect(withoutObjects.problems.contains { $0.object == "app objects (GetAllInfos)" })
    }

    @Test("read one request at a time, the contents are the same as pipelined")
    func sequentialReadsTheSame() async {
        let pipelined = await read(pipelined: true)
        let sequential = await read(pipelined: false)
        #expect(pipelined == sequential)
    }

    @Test("pipelined, many requests of one app are in flight at once; sequential, never more than one")
    func requestsInFlight() async {
        let pipelinedEngine = FakeEngine(answers: salesApp)
        _ = await AppContentsReader(engine: pipelinedEngine, pipelined: true).read(doc: 1)
        let sequentialEngine = FakeEngine(answers: salesApp)
        _ = await AppContentsReader(engine: sequentialEngine, pipelined: false).read(doc: 1)
        #expect(pipelinedEngine.inFlight.most > 1)
        #expect(sequentialEngine.inFlight.most == 1)
    }

    @Test("apps are catalogued at most N at once, and the answer keeps their order")
    func concurrencyBound() async throws {
        let running = InFlight()
        let results = try await Catalog.inOrder(Array(0..<40), atMost: 8) { index in
            running.enter()
            try await Task.sleep(for: .milliseconds(Int.random(in: 1...5)))
            running.leave()
            return index * 2
        }
        #expect(results == Array(0..<40).map { $0 * 2 })
        #expect(running.most == 8)
    }

    @Test("each app's result is handed on in order as soon as the apps before it are in, not once all are read")
    func handedOnInOrder() async throws {
        let lastDone = Mutex(false)
        let handedCount = Mutex(0)
        var handed: [(index: Int, lastDone: Bool)] = []
        try await Catalog.inOrder(Array(0..<20), atMost: 4) { index in
            // The last app finishes only once the 19 before it were handed on (or after 30 s, when they were held back):
            // decided by order, not by how fast a busy machine runs the others.
            if index == 19 {
                for _ in 0..<3_000 where handedCount.withLock({ $0 }) < 19 { try await Task.sleep(for: .milliseconds(10)) }
                lastDone.withLock { $0 = true }
            }
            return index
        } each: { index, result in
            #expect(index == result)
            handed.append((index, lastDone.withLock { $0 }))
            handedCount.withLock { $0 += 1 }
        }
        #expect(handed.map(\.index) == Array(0..<20))
        #expect(handed.dropLast().allSatisfy { !$0.lastDone }, "the first 19 are handed on while the slow last one still runs")
    }
}

@Suite("discover: Qlik's lineage graph and the OpenLineage form")
struct CatalogLineageTests {
    /// `GET /api/v1/lineage-graphs/nodes/{app QRI}?level=all` as qlik.dev documents it: one graph per level.
    static let graph = #"""
        {"graphs":{"graphs":[
          {"type":"RESOURCE","nodes":{"qri:app:sense://a1":{"label":"Sales","metadata":{"type":"DA_APP","subtype":"APPLICATION"}},
                                      "qri:qdf:space://s1#f1":{"label":"orders.csv","metadata":{"type":"DATASET","subtype":"FILE"}}},
           "edges":[{"relation":"LOAD","source":"qri:qdf:space://s1#f1","target":"qri:app:sense://a1"}]},
          {"type":"TABLE","nodes":{"qri:app:sense://a1#t1":{"label":"Orders","metadata":{"type":"TABLE"}},
                                   "qri:qdf:space://s1#f1#t9":{"label":"orders","metadata":{"type":"TABLE"}}},
           "edges":[{"relation":"from","source":"qri:qdf:space://s1#f1#t9","target":"qri:app:sense://a1#t1"}]},
          {"type":"FIELD","nodes":{"qri:app:sense://a1#t1#x1":{"label":"OrderID","metadata":{"type":"FIELD"}},
                                   "qri:app:sense://a1#t1#x2":{"label":"Sales Amount","metadata":{"type":"FIELD"}},
                                   "qri:qdf:space://s1#f1#t9#y1":{"label":"id","metadata":{"type":"FIELD"}},
                                   "qri:qdf:space://s1#f1#t9#y2":{"label":"amount","metadata":{"type":"FIELD"}}},
           "edges":[{"source":"qri:qdf:space://s1#f1#t9#y1","target":"qri:app:sense://a1#t1#x1"},
                    {"source":"qri:qdf:space://s1#f1#t9#y2","target":"qri:app:sense://a1#t1#x2"}]}]}}
        """#

    @Test("the catalog's JSON, written app by app, is the JSON an encoder writes of the whole catalog, compact and indented")
    func jsonAppByApp() throws {
        let app = Catalog.AppEntry(id: "a1", name: "Sales / EU", spaceID: nil, space: nil, ownerID: nil, lastReload: nil, sizeBytes: nil, tables: [], fields: [],
                                   lineage: ScriptLineage(script: "LOAD * FROM [lib://DataFiles/a.csv];"), lineageNote: nil, qlikLineage: nil,
                                   sheets: [AppContents.Sheet(id: "s1", title: "A \"quoted\"\nline", description: nil, owner: nil, published: true, charts: [])],
                                   masterDimensions: [], masterMeasures: [], variables: [], bookmarks: [], dataModel: nil, problems: [Problem(object: "x", message: "y")])
        for apps in [[], [app], [app, app]] {
            let catalog = Catalog(tenant: "https://t.example", spaces: [Catalog.SpaceEntry(id: "1", name: "S", type: nil)], apps: apps, dataFiles: [],
                                  edges: [Catalog.Edge(from: "a", to: "b", kind: "reads")])
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let whole = try JSONSerialization.jsonObject(with: encoder.encode(catalog)) as? NSDictionary
            for pretty in [false, true] {
                let written = try catalog.json(pretty: pretty)
                #expect(try JSONSerialization.jsonObject(with: written) as? NSDictionary == whole)
            }
            // Indented, one key per line, slashes as written.
            let lines = String(decoding: try catalog.json(pretty: true), as: UTF8.self).split(separator: "\n")
            #expect(lines.contains("  \"tenant\" : \"https://t.example\""))
            if !apps.isEmpty { #expect(lines.contains("      \"name\" : \"Sales / EU\",")) }
        }
    }

    @Test("a field-level lineage graph becomes, per app field, its table and the dataset fields it comes from")
    func fieldLineage() throws {
        let lineage = QlikLineage(graph: try JSONDecoder().decode(LineageGraphLevels.self, from: Data(Self.graph.utf8)), appID: "a1")
        #expect(lineage.source == "qlik-lineage-graph")
        #expect(lineage.datasets == [QlikLineage.Dataset(qri: "qri:qdf:space://s1#f1", name: "orders.csv", type: "FILE")])
        #expect(lineage.fields == [
            QlikLineage.FieldLineage(table: "Orders", field: "OrderID", inputs: [QlikLineage.InputField(dataset: "orders.csv", datasetQRI: "qri:qdf:space://s1#f1", table: "orders", field: "id")]),
            QlikLineage.FieldLineage(table: "Orders", field: "Sales Amount", inputs: [QlikLineage.InputField(dataset: "orders.csv", datasetQRI: "qri:qdf:space://s1#f1", table: "orders", field: "amount")]),
        ])
    }

    @Test("OpenLineage: the app's data model is an output dataset with columnLineage (fields to inputFields with namespace, name, field) and the custom chart usage facet")
    func openLineageFacets() throws {
        let lineage = QlikLineage(graph: try JSONDecoder().decode(LineageGraphLevels.self, from: Data(Self.graph.utf8)), appID: "a1")
        let chart = AppContents.Chart(id: "c1", type: "barchart", title: "Revenue", dimensions: [],
                                      measures: [AppContents.ChartMeasure(label: "Revenue", masterItem: AppContents.MasterItemReference(id: "m1", title: "Revenue"),
                                                                          expression: "Sum([Sales Amount])", fields: ["Sales Amount"])])
        let app = Catalog.AppEntry(id: "a1", name: "Sales", spaceID: nil, space: nil, ownerID: nil, lastReload: "2026-01-01T00:00:00Z", sizeBytes: nil,
                                   tables: [], fields: [], lineage: ScriptLineage(script: ""), lineageNote: nil, qlikLineage: lineage,
                                   sheets: [AppContents.Sheet(id: "s1", title: "Overview", description: nil, owner: nil, published: true, charts: [chart])],
                                   masterDimensions: [], masterMeasures: [], variables: [], bookmarks: [], dataModel: nil, problems: [])
        let catalog = Catalog(tenant: "https://t.example", spaces: [], apps: [app], dataFiles: [], edges: [])
        let event = try #require(catalog.openLineageEvents().first)
        // Through JSON, as the command prints it.
        let parsed = try #require(try JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: event)) as? [String: Any])
        #expect((parsed["inputs"] as? [[String: Any]])?.first?["name"] as? String == "orders.csv")
        let output = try #require((parsed["outputs"] as? [[String: Any]])?.last)
        #expect(output["namespace"] as? String == "https://t.example/apps" && output["name"] as? String == "Sales")
        let facets = try #require(output["facets"] as? [String: Any])
        let columns = try #require(facets["columnLineage"] as? [String: Any])
        #expect((columns["_schemaURL"] as? String)?.contains("ColumnLineageDatasetFacet") == true && columns["_producer"] as? String == Catalog.producer)
        let amount = try #require(((columns["fields"] as? [String: Any])?["Sales Amount"] as? [String: Any])?["inputFields"] as? [[String: String]])
        #expect(amount == [["namespace": "https://t.example/lineage", "name": "orders.csv", "field": "amount"]])
        let usage = try #require(facets["qlikConnector_chartUsage"] as? [String: Any])
        #expect(usage["_schemaURL"] as? String == Catalog.chartUsageSchemaURL)
        let charts = try #require(usage["charts"] as? [[String: Any]])
        #expect(charts.first?["fields"] as? [String] == ["Sales Amount"] && charts.first?["masterItems"] as? [String] == ["Revenue"])
    }
}
