import Foundation

/// The sheets, charts, master items, variables and bookmarks of the default
/// tenant's apps, built on their data (``DefaultTenant``, ``SampleSalesData``):
/// what a catalog or a Qlik client finds in a real sales app. Ids are fixed,
/// so that examples and tests can name them.
enum DefaultAppContent {
    /// A chart on a sheet: its type, title, the dimensions and measures of its hypercube (master item ids or field
    /// names and expressions), and where it sits on the sheet's grid.
    struct Chart {
        let id: String
        let type: String
        let title: String
        var dimensions: [Item] = []
        var measures: [Item] = []
        let cell: (col: Int, row: Int, colspan: Int, rowspan: Int)
    }

    enum Item {
        case library(String)
        /// A field (dimension) or an expression with its label (measure).
        case inline(String, label: String)
    }

    static func salesAnalysis(ownerID: String, now: Date, model: DataModel) -> AppObjects {
        var content = Builder(ownerID: ownerID, now: now)
        content.dimension("dim-region", "Region", field: "Region", description: "Sales region of the customer's country (EMEA, Americas, APAC).")
        content.dimension("dim-customer", "Customer", field: "Customer", description: "The customer's name.")
        content.dimension("dim-product", "Product", field: "ProductName", description: "The product ordered.")
        content.dimension("dim-year", "Year", field: "=Year(OrderDate)", description: "The year of the order date.")
        content.measure("msr-revenue", "Revenue", "Sum(Amount)", description: "Order amounts after discount.")
        content.measure("msr-orders", "Orders", "Count(distinct OrderID)", description: "Number of distinct orders.")
        content.measure("msr-avg-discount", "Average discount", "Avg(Discount)", description: "Mean discount of discounted orders.")
        content.sheet("sheet-overview", "Sales overview", description: "Revenue of 2024 by region, month and channel.", published: true, charts: [
            Chart(id: "kpi-revenue", type: "kpi", title: "Total revenue", measures: [.library("msr-revenue")], cell: (0, 0, 6, 3)),
            Chart(id: "kpi-orders", type: "kpi", title: "Orders", measures: [.library("msr-orders")], cell: (6, 0, 6, 3)),
            Chart(id: "bar-revenue-region", type: "barchart", title: "Revenue by region",
                  dimensions: [.library("dim-region")], measures: [.library("msr-revenue")], cell: (0, 3, 12, 9)),
            Chart(id: "line-revenue-month", type: "linechart", title: "Revenue over time",
                  dimensions: [.inline("OrderDate", label: "Order date")], measures: [.library("msr-revenue")], cell: (12, 0, 12, 6)),
            Chart(id: "pie-orders-channel", type: "piechart", title: "Orders by channel",
                  dimensions: [.inline("Channel", label: "Channel")], measures: [.library("msr-orders")], cell: (12, 6, 8, 6)),
        ], filters: ("filter-overview", [.library("dim-region"), .inline("Segment", label: "Segment")], (20, 6, 4, 6)))
        content.sheet("sheet-details", "Order details", description: "Each order with its customer and product; a draft, not published.",
                      published: false, charts: [
            Chart(id: "table-orders", type: "table", title: "Orders",
                  dimensions: [.inline("OrderID", label: "Order"), .inline("OrderDate", label: "Order date"), .library("dim-customer"), .library("dim-product")],
                  measures: [.inline("Sum(Amount)", label: "Amount")], cell: (0, 0, 16, 12)),
            Chart(id: "bar-quantity-category", type: "barchart", title: "Quantity by category",
                  dimensions: [.inline("Category", label: "Category")], measures: [.inline("Sum(Quantity)", label: "Quantity")], cell: (16, 0, 8, 12)),
        ], filters: nil)
        content.variable("var-current-year", "vCurrentYear", "2024", comment: "The year the app's data covers.")
        content.variable("var-revenue-goal", "vRevenueGoal", "=Sum(Amount) * 1.1", comment: "Next year's goal: this year's revenue and ten percent.")
        content.bookmark("bm-emea-enterprise", "EMEA enterprise customers", description: "Orders of enterprise customers in EMEA.",
                         selections: [BookmarkSelection(field: "Region", values: ["EMEA"]), BookmarkSelection(field: "Segment", values: ["Enterprise"])])
        content.appObjects(model)
        return content.objects
    }

    static func salesDashboard(ownerID: String, now: Date, model: DataModel) -> AppObjects {
        var content = Builder(ownerID: ownerID, now: now)
        content.measure("msr-dashboard-revenue", "Revenue", "Sum(Revenue)", description: "Revenue of the published orders.")
        content.sheet("sheet-dashboard", "Revenue dashboard", description: "Published revenue by segment and region.", published: true, charts: [
            Chart(id: "kpi-dashboard-revenue", type: "kpi", title: "Revenue", measures: [.library("msr-dashboard-revenue")], cell: (0, 0, 8, 4)),
            Chart(id: "bar-dashboard-segment", type: "barchart", title: "Revenue by segment",
                  dimensions: [.inline("Segment", label: "Segment")], measures: [.library("msr-dashboard-revenue")], cell: (8, 0, 16, 12)),
        ], filters: nil)
        content.appObjects(model)
        return content.objects
    }

    /// Adds objects with Qlik's property shapes, one call per object.
    private struct Builder {
        let ownerID: String
        let now: Date
        var objects = AppObjects()

        mutating func add(_ properties: [String: Any], parentID: String? = nil, published: Bool = false, selections: [BookmarkSelection]? = nil) {
            objects.put(AppObject(properties: JSONValue(any: properties), parentID: parentID, ownerID: ownerID, published: published,
                                  createdAt: now, modifiedAt: now, bookmarkSelections: selections))
        }

        mutating func dimension(_ id: String, _ title: String, field: String, description: String) {
            add(["qInfo": ["qId": id, "qType": "dimension"],
                 "qDim": ["qGrouping": "N", "qFieldDefs": [field], "qFieldLabels": [title]],
                 "qMetaDef": ["title": title, "description": description, "tags": [String]()]], published: true)
        }

        mutating func measure(_ id: String, _ title: String, _ expression: String, description: String) {
            add(["qInfo": ["qId": id, "qType": "measure"],
                 "qMeasure": ["qLabel": title, "qDef": expression, "qGrouping": "N", "qExpressions": [String](), "qActiveExpression": 0],
                 "qMetaDef": ["title": title, "description": description, "tags": [String]()]], published: true)
        }

        mutating func variable(_ id: String, _ name: String, _ definition: String, comment: String) {
            add(["qInfo": ["qId": id, "qType": "variable"], "qMetaDef": [String: Any](), "qName": name, "qDefinition": definition,
                 "qComment": comment, "qIncludeInBookmark": false])
        }

        mutating func bookmark(_ id: String, _ title: String, description: String, selections: [BookmarkSelection]) {
            add(["qInfo": ["qId": id, "qType": "bookmark"], "qMetaDef": ["title": title, "description": description],
                 "qIncludeVariables": false, "qDistinctValues": false], published: true, selections: selections)
        }

        mutating func sheet(_ id: String, _ title: String, description: String, published: Bool, charts: [Chart],
                            filters: (id: String, fields: [Item], cell: (col: Int, row: Int, colspan: Int, rowspan: Int))?) {
            var cells = charts.map { cell($0.id, $0.type, $0.cell) }
            if let filters { cells.append(cell(filters.id, "filterpane", filters.cell)) }
            add(["qInfo": ["qId": id, "qType": "sheet"], "qMetaDef": ["title": title, "description": description],
                 "rank": Double(objects.items.filter { $0.type == "sheet" }.count), "columns": 24, "rows": 12, "cells": cells,
                 "thumbnail": ["qStaticContentUrlDef": ["qUrl": ""]], "qChildListDef": ["qData": ["title": "/title"]]],
                published: published)
            for chart in charts {
                add(["qInfo": ["qId": chart.id, "qType": chart.type], "qMetaDef": [String: Any](), "visualization": chart.type,
                     "title": chart.title, "showTitles": true,
                     "qHyperCubeDef": ["qDimensions": chart.dimensions.map(dimensionDefinition), "qMeasures": chart.measures.map(measureDefinition),
                                       "qInterColumnSortOrder": [Int](), "qSuppressZero": false, "qSuppressMissing": true, "qMode": "S",
                                       "qInitialDataFetch": [Any]()]],
                    parentID: id, published: published)
            }
            guard let filters else { return }
            add(["qInfo": ["qId": filters.id, "qType": "filterpane"], "qMetaDef": [String: Any](), "visualization": "filterpane",
                 "title": "Filters", "qChildListDef": ["qData": ["title": "/title"]]], parentID: id, published: published)
            for (index, field) in filters.fields.enumerated() {
                var list = dimensionDefinition(field)
                list["qInitialDataFetch"] = [Any]()
                list["qShowAlternatives"] = true
                add(["qInfo": ["qId": "\(filters.id)-listbox-\(index + 1)", "qType": "listbox"], "qMetaDef": [String: Any](),
                     "visualization": "listbox", "title": label(field), "qListObjectDef": list], parentID: filters.id, published: published)
            }
        }

        /// The app's own objects: its properties list and the data model view's object.
        mutating func appObjects(_ model: DataModel) {
            add(["qInfo": ["qId": "AppPropsList", "qType": "appprops"], "qMetaDef": [String: Any](),
                 "sheetTitleBgColor": "#ffffff", "sheetTitleColor": "#404040", "theme": "sense", "sheetLogoPosition": "left"])
            // The data model view: each loaded table with its fields; a field in several tables is a key that associates them.
            let tablesOfField = Dictionary(grouping: model.tables.flatMap { table in table.fields.map { ($0, table.name) } }, by: \.0)
            add(["qInfo": ["qId": "LoadModel", "qType": "LoadModel"], "qMetaDef": [String: Any](), "schemaVersion": 2,
                 "tables": model.tables.enumerated().map { index, table -> [String: Any] in
                     ["id": "table-\(index + 1)", "name": table.name, "tableAlias": table.name,
                      "fields": table.fields.map { field -> [String: Any] in
                          ["name": field, "alias": field, "isKey": (tablesOfField[field]?.count ?? 0) > 1]
                      }]
                 }])
        }

        private func cell(_ name: String, _ type: String, _ place: (col: Int, row: Int, colspan: Int, rowspan: Int)) -> [String: Any] {
            ["name": name, "type": type, "col": place.col, "row": place.row, "colspan": place.colspan, "rowspan": place.rowspan]
        }

        private func label(_ item: Item) -> String {
            switch item {
            case .library(let id): objects.object(id)?.title ?? id
            case .inline(_, let label): label
            }
        }

        private func dimensionDefinition(_ item: Item) -> [String: Any] {
            switch item {
            case .library(let id): ["qLibraryId": id, "qDef": ["qFieldDefs": [String](), "qFieldLabels": [String](), "qSortCriterias": [Any]()]]
            case .inline(let field, let label): ["qLibraryId": "", "qDef": ["qFieldDefs": [field], "qFieldLabels": [label], "qSortCriterias": [Any]()]]
            }
        }

        private func measureDefinition(_ item: Item) -> [String: Any] {
            switch item {
            case .library(let id): ["qLibraryId": id, "qDef": ["qDef": "", "qLabel": ""]]
            case .inline(let expression, let label): ["qLibraryId": "", "qDef": ["qDef": expression, "qLabel": label]]
            }
        }
    }
}
