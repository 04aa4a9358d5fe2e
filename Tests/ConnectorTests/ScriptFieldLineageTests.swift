@testable import Connector
import Foundation
import TestProcesses
import Testing

@Suite("script parser: field-level lineage")
struct ScriptFieldLineageTests {
    private typealias Field = ScriptLineage.FieldLineage
    private typealias Input = ScriptLineage.InputField

    @Test("plain LOAD ... FROM: each field comes from its source field, AS renames followed, bracketed and quoted names unwrapped")
    func plainLoad() {
        let lineage = ScriptLineage(script: """
            Orders:
            LOAD DISTINCT OrderID, Amount AS Revenue, [Order Date] AS "Date", "Ship Date"
            FROM [lib://DataFiles/orders.csv] (txt, utf8, embedded labels, delimiter is ',');
            """)
        let orders = "lib://DataFiles/orders.csv"
        #expect(lineage.fields == [
            Field(field: "OrderID", inputs: [Input(dataset: orders, field: "OrderID")]),
            Field(field: "Revenue", inputs: [Input(dataset: orders, field: "Amount")]),
            Field(field: "Date", inputs: [Input(dataset: orders, field: "Order Date")]),
            Field(field: "Ship Date", inputs: [Input(dataset: orders, field: "Ship Date")]),
        ])
    }

    @Test("expressions, strings, LOAD *, RESIDENT and INLINE give no field lineage; a field loaded from two sources lists both")
    func onlyPlainFields() {
        let lineage = ScriptLineage(script: """
            A: LOAD CustomerID, Year(OrderDate) AS Year, Amount * 2 AS Double, 'EU' AS Region, If(a, b, c) AS Flag FROM [lib://DataFiles/a.csv] (txt);
            B: LOAD * FROM [lib://DataFiles/b.qvd] (qvd);
            C: LOAD CustomerID, Name FROM 'lib://DataFiles/c.qvd'(qvd);
            D: LOAD CustomerID AS Copy RESIDENT C;
            E: LOAD * INLINE [x
            1];
            """)
        #expect(lineage.fields == [
            Field(field: "CustomerID", inputs: [Input(dataset: "lib://DataFiles/a.csv", field: "CustomerID"), Input(dataset: "lib://DataFiles/c.qvd", field: "CustomerID")]),
            Field(field: "Name", inputs: [Input(dataset: "lib://DataFiles/c.qvd", field: "Name")]),
        ])
        #expect(ScriptLineage(script: "LOAD * FROM [lib://DataFiles/b.qvd] (qvd);").fields == nil)
    }

    @Test("SQL SELECT after LIB CONNECT: columns of the connection's table, a qualified column under its own name; without a connection, none")
    func sqlSelect() {
        let lineage = ScriptLineage(script: """
            LIB CONNECT TO 'Snowflake';
            T: SQL SELECT o.ORDER_ID, AMOUNT AS Revenue FROM SALES.PUBLIC.ORDERS o;
            """)
        #expect(lineage.fields == [
            Field(field: "ORDER_ID", inputs: [Input(dataset: "Snowflake:SALES.PUBLIC.ORDERS", field: "o.ORDER_ID")]),
            Field(field: "Revenue", inputs: [Input(dataset: "Snowflake:SALES.PUBLIC.ORDERS", field: "AMOUNT")]),
        ])
        #expect(ScriptLineage(script: "SQL SELECT A FROM T;").fields == nil)
    }

    @Test("OpenLineage without Qlik's graph: columnLineage from the script parser, each input labelled script-parser with the copy it is")
    func openLineageFromScript() throws {
        let columns = try #require(Self.facets(Self.salesCatalog())["columnLineage"] as? [String: Any])
        let fields = try #require(columns["fields"] as? [String: Any])
        let revenue = try #require((fields["Revenue"] as? [String: Any])?["inputFields"] as? [[String: Any]])
        #expect(revenue.count == 1 && revenue[0]["namespace"] as? String == "https://t.example/datafiles"
                && revenue[0]["name"] as? String == "orders.csv" && revenue[0]["field"] as? String == "Amount")
        #expect(revenue[0]["transformations"] as? [[String: String]] == [["type": "DIRECT", "subtype": "IDENTITY", "description": "script-parser: LOAD Amount AS Revenue"]])
        #expect(((fields["OrderID"] as? [String: Any])?["inputFields"] as? [[String: Any]])?.first?["transformations"] as? [[String: String]]
                == [["type": "DIRECT", "subtype": "IDENTITY", "description": "script-parser: LOAD OrderID"]])
    }

    @Test("OpenLineage with Qlik's graph: columnLineage is the graph's alone, the script parser's fields not mixed in")
    func graphPreferred() throws {
        let catalog = Self.salesCatalog(graph: QlikLineage(
            datasets: [QlikLineage.Dataset(qri: "qri:qdf:space://s1#f1", name: "orders.csv", type: "FILE")],
            fields: [QlikLineage.FieldLineage(table: "Orders", field: "OrderID", inputs: [
                QlikLineage.InputField(dataset: "orders.csv", datasetQRI: "qri:qdf:space://s1#f1", table: "orders", field: "id")])]))
        let columns = try #require(Self.facets(catalog)["columnLineage"] as? [String: Any])
        let fields = try #require(columns["fields"] as? [String: Any])
        #expect(fields.keys.sorted() == ["OrderID"])
        #expect((fields["OrderID"] as? [String: Any])?["inputFields"] as? [[String: String]]
                == [["namespace": "https://t.example/lineage", "name": "orders.csv", "field": "id"]])
    }

    @Test("the script parser's columnLineage is valid OpenLineage, checked by openlineage-python (scripts/openlineage/check.py)",
          .enabled(if: !(ProcessInfo.processInfo.environment["QLIK_CONNECTOR_TEST_OPENLINEAGE_PYTHON"] ?? "").isEmpty,
                   "QLIK_CONNECTOR_TEST_OPENLINEAGE_PYTHON is not set: this test needs the openlineage-python virtualenv that scripts/test makes (scripts/openlineage/setup.sh); run 'bash scripts/test'"))
    func scriptLineageIsValidOpenLineage() async throws {
        let events = try Self.salesCatalog().openLineageEvents()
            .map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("script-lineage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let input = folder.appendingPathComponent("events.ndjson")
        try Data(events.joined(separator: "\n").utf8).write(to: input)
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let run = try await ChildProcess.run(ProcessInfo.processInfo.environment["QLIK_CONNECTOR_TEST_OPENLINEAGE_PYTHON"] ?? "",
                                             [repository.appendingPathComponent("scripts/openlineage/check.py").path, input.path])
        try FileManager.default.removeItem(at: folder)
        let status = run.status, printed = run.text + run.errors
        #expect(status == 0 && printed.contains("1 events valid"), "\(printed)")
    }

    /// A catalog of one app whose script loads OrderID and Amount AS Revenue from orders.csv; without `graph`, the
    /// tenant has no lineage graph and its lineage is the script parser's alone.
    private static func salesCatalog(graph: QlikLineage? = nil) -> Catalog {
        let lineage = ScriptLineage(script: "Orders: LOAD OrderID, Amount AS Revenue FROM [lib://DataFiles/orders.csv] (txt);")
        let app = Catalog.AppEntry(id: "a1", name: "Sales", spaceID: nil, space: nil, ownerID: nil, lastReload: "2026-01-01T00:00:00Z", sizeBytes: nil,
                                   tables: [], fields: [], lineage: lineage, lineageNote: nil, qlikLineage: graph, sheets: [],
                                   masterDimensions: [], masterMeasures: [], variables: [], bookmarks: [], dataModel: nil, problems: [])
        return Catalog(tenant: "https://t.example", spaces: [], apps: [app], dataFiles: [], edges: [])
    }

    /// The app's own dataset's facets, through JSON as the command prints them.
    private static func facets(_ catalog: Catalog) throws -> [String: Any] {
        let event = try #require(catalog.openLineageEvents().first)
        let parsed = try #require(try JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: event)) as? [String: Any])
        return try #require((parsed["outputs"] as? [[String: Any]])?.last?["facets"] as? [String: Any])
    }
}
