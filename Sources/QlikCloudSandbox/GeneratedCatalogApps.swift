import Foundation
import QVD

extension Tenant {
    /// Adds `count` apps shaped like a busy tenant's, for catalog benchmarks: each with a data model of
    /// `tables` small tables chained by keys, `masterItems` master items (half dimensions, half measures,
    /// each on one table's value field), and `sheets` sheets of `chartsPerSheet` charts using them.
    /// Named "Catalog app 0001" ..., in the owner's personal space. Returns their ids.
    func addCatalogApps(count: Int, tables: Int = 20, masterItems: Int = 20, sheets: Int = 5, chartsPerSheet: Int = 6, ownerID: String) -> [String] {
        let now = clock()
        let model = Self.catalogModel(tables: tables)
        let objects = Self.catalogObjects(tables: tables, masterItems: masterItems, sheets: sheets, chartsPerSheet: chartsPerSheet, ownerID: ownerID, now: now)
        let width = String(count).count
        return (1...max(1, count)).prefix(count).map { number in
            let name = "Catalog app " + String(repeating: "0", count: max(0, width - String(number).count)) + String(number)
            let app = addApp(name: name, description: "Generated for catalog benchmarks: \(sheets) sheets of \(chartsPerSheet) charts, \(masterItems) master items, \(tables) tables.",
                             spaceID: nil, ownerID: ownerID)
            setDataModel(app.id, model)
            _ = setAppObjects(app.id, objects)
            return app.id
        }
    }

    /// Table k holds Key k (shared with table k-1), Key k+1 (shared with table k+1) and Value k, over ten rows.
    static func catalogModel(tables: Int) -> DataModel {
        DataModel(tables: (1...max(1, tables)).map { k in
            DataTable(name: "Table\(k)", fields: ["Key\(k)", "Key\(k + 1)", "Value\(k)"],
                      columns: [(0..<10).map { .integer(Int64($0)) }, (0..<10).map { .integer(Int64(($0 + k) % 10)) },
                                (0..<10).map { .double(Double($0 * k) + 0.5) }])
        })
    }

    static func catalogObjects(tables: Int, masterItems: Int, sheets: Int, chartsPerSheet: Int, ownerID: String, now: Date) -> AppObjects {
        var objects = AppObjects()
        func add(_ properties: [String: Any], parent: String? = nil) {
            objects.put(AppObject(properties: JSONValue(any: properties), parentID: parent, ownerID: ownerID, published: true, createdAt: now, modifiedAt: now))
        }
        let dimensions = max(1, masterItems / 2), measures = max(1, masterItems - masterItems / 2)
        for index in 1...dimensions {
            let table = (index - 1) % max(1, tables) + 1
            add(["qInfo": ["qId": "dim-\(index)", "qType": "dimension"], "qDim": ["qGrouping": "N", "qFieldDefs": ["Value\(table)"], "qFieldLabels": ["Value \(table)"]],
                 "qMetaDef": ["title": "Dimension \(index)", "description": "Value field of Table\(table)"]])
        }
        for index in 1...measures {
            let table = (index - 1) % max(1, tables) + 1
            add(["qInfo": ["qId": "msr-\(index)", "qType": "measure"], "qMeasure": ["qDef": "Sum(Key\(table))", "qLabel": "Measure \(index)"],
                 "qMetaDef": ["title": "Measure \(index)", "description": "Sum of Table\(table)'s key"]])
        }
        let types = ["barchart", "linechart", "table", "piechart", "barchart", "table"]
        for sheet in 1...max(1, sheets) {
            let sheetID = "sheet-\(sheet)"
            let charts = (1...max(1, chartsPerSheet)).map { "\(sheetID)-chart-\($0)" }
            add(["qInfo": ["qId": sheetID, "qType": "sheet"], "qMetaDef": ["title": "Sheet \(sheet)", "description": "Generated sheet \(sheet)"],
                 "cells": charts.enumerated().map { ["name": $1, "type": types[$0 % types.count], "col": ($0 % 3) * 8, "row": ($0 / 3) * 6, "colspan": 8, "rowspan": 6] },
                 "qChildListDef": ["qData": ["title": "/title"]]])
            for (index, chartID) in charts.enumerated() {
                // Each chart's master dimension and measure read the same table, so its cube has data.
                let item = (sheet * chartsPerSheet + index) % min(dimensions, measures) + 1
                add(["qInfo": ["qId": chartID, "qType": types[index % types.count]], "visualization": types[index % types.count], "title": "Chart \(index + 1) of sheet \(sheet)",
                     "qHyperCubeDef": ["qDimensions": [["qLibraryId": "dim-\(item)", "qDef": ["qFieldDefs": [String]()]]],
                                       "qMeasures": [["qLibraryId": "msr-\(item)", "qDef": ["qDef": ""]]], "qInitialDataFetch": [Any]()]],
                    parent: sheetID)
            }
        }
        return objects
    }
}
