import Foundation

/// The catalog as OpenLineage events, one run per app.
extension Catalog {
    /// A dataset node: a data file by name, otherwise the path or table as written.
    static func dataset(_ path: String) -> String {
        if let name = ScriptLineage.dataFileName(path) { return "datafile:\(name)" }
        return "dataset:\(path)"
    }

    /// OpenLineage run events, one per app: its reads as inputs, its stores and its own data model as outputs. The data
    /// model's dataset carries its schema, column-level lineage (`columnLineage`, from Qlik's lineage graph where the tenant
    /// has one, otherwise from the script parser, labelled) and which charts use which fields (the custom facet
    /// `qlikConnector_chartUsage`).
    public func openLineageEvents(producer: String = Self.producer) -> [[String: Any]] {
        apps.map { app in
            func dataset(_ path: String) -> [String: Any] {
                if let name = ScriptLineage.dataFileName(path) { return ["namespace": tenant + "/datafiles", "name": name] }
                return ["namespace": tenant, "name": path]
            }
            func graphDataset(_ name: String?, _ qri: String?) -> [String: Any] {
                ["namespace": tenant + "/lineage", "name": name ?? qri ?? "unknown"]
            }
            let inputs: [[String: Any]] = app.qlikLineage.map { lineage in lineage.datasets.map { graphDataset($0.name, $0.qri) } } ?? app.lineage.reads.map(dataset)
            var facets: [String: Any] = [:]
            let fieldNames = app.dataModel.map { model in model.tables.flatMap { $0.fields.map(\.name) } } ?? app.fields.map(\.name)
            var uniqueFields: [String] = []
            for name in fieldNames where !uniqueFields.contains(name) { uniqueFields.append(name) }
            facets["schema"] = ["_producer": producer, "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
                                "fields": uniqueFields.map { ["name": $0] }]
            if let lineage = app.qlikLineage, !lineage.fields.isEmpty {
                var columns: [String: Any] = [:]
                for field in lineage.fields {
                    var inputFields = (columns[field.field] as? [String: Any])?["inputFields"] as? [[String: Any]] ?? []
                    for input in field.inputs {
                        var entry = graphDataset(input.dataset, input.datasetQRI)
                        entry["field"] = input.field
                        inputFields.append(entry)
                    }
                    columns[field.field] = ["inputFields": inputFields]
                }
                facets["columnLineage"] = ["_producer": producer, "_schemaURL": "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet",
                                           "fields": columns]
            } else if let fields = app.lineage.fields, !fields.isEmpty {
                // Without Qlik's graph, the script parser's field lineage; never mixed with the graph's, and each input
                // labelled with where it comes from (the transformation's description) and the copy it is.
                var columns: [String: Any] = [:]
                for field in fields {
                    columns[field.field] = ["inputFields": field.inputs.map { input in
                        var entry = dataset(input.dataset)
                        entry["field"] = input.field
                        let copy = input.field == field.field ? input.field : "\(input.field) AS \(field.field)"
                        entry["transformations"] = [["type": "DIRECT", "subtype": "IDENTITY", "description": "script-parser: LOAD \(copy)"]]
                        return entry
                    }]
                }
                facets["columnLineage"] = ["_producer": producer, "_schemaURL": "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet",
                                           "fields": columns]
            }
            let charts: [[String: Any]] = (app.sheets ?? []).flatMap { sheet in
                sheet.charts.map { chart in
                    ["sheetId": sheet.id, "sheet": sheet.title ?? sheet.id, "chartId": chart.id, "type": chart.type, "title": chart.title ?? "",
                     "fields": chart.fields,
                     "masterItems": (chart.dimensions.compactMap(\.masterItem) + chart.measures.compactMap(\.masterItem)).map { $0.title ?? $0.id }] as [String: Any]
                }
            }
            if !charts.isEmpty {
                facets["qlikConnector_chartUsage"] = ["_producer": producer, "_schemaURL": Self.chartUsageSchemaURL, "charts": charts]
            }
            let model: [String: Any] = ["namespace": tenant + "/apps", "name": app.name, "facets": facets]
            return [
                "eventType": "COMPLETE",
                "eventTime": app.lastReload ?? ISO8601DateFormatter().string(from: Date()),
                "run": ["runId": Self.runID(app.id + (app.lastReload ?? ""))],
                "job": ["namespace": tenant, "name": app.name],
                "inputs": inputs,
                "outputs": app.lineage.stores.map(dataset) + [model],
                "producer": producer,
                "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            ]
        }
    }

    public static let producer = "https://github.com/qlik-connector/qlik-connector"
    /// The custom facet's schema definition, kept in the repository (docs/openlineage/ChartUsageDatasetFacet.json): as
    /// OpenLineage's BaseFacet asks, a JSON Pointer URL to the definition itself, not to the file holding it.
    public static let chartUsageSchemaURL = "https://github.com/qlik-connector/qlik-connector/blob/main/docs/openlineage/ChartUsageDatasetFacet.json#/$defs/ChartUsageDatasetFacet"

    /// A stable UUID-shaped run id from the app and its reload time.
    static func runID(_ seed: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in seed.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            second = (second ^ UInt64(byte)) &* 0x100_0000_01b5
        }
        let hex = String(format: "%016llx%016llx", hash, second)
        let characters = Array(hex)
        return "\(String(characters[0..<8]))-\(String(characters[8..<12]))-4\(String(characters[13..<16]))-a\(String(characters[17..<20]))-\(String(characters[20..<32]))"
    }
}
