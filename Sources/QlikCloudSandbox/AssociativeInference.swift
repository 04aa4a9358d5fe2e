/// What a set of selections leaves possible in a data model, by Qlik's
/// associative logic: a row is possible when it satisfies its table's
/// selections and, through every key it shares with another table, either
/// meets a possible row there or meets no row at all while nothing beyond
/// that key is selected (an outer join: a customer without orders stays
/// possible until something on the orders' side is selected).
struct AssociativeInference {
    /// A value's state as the engine reports it (`qState`).
    enum State: String {
        case selected = "S", optional = "O", excluded = "X", alternative = "A", locked = "L", excludedSelected = "XS", excludedLocked = "XL"
    }

    let index: AssociativeIndex
    /// Per table, which rows are possible; nil when nothing restricts the table (every row is).
    let possibleRows: [[Bool]?]

    /// `selected`: per field number, a bitmap of its selected elements.
    init(index: AssociativeIndex, selected: [Int: [Bool]]) {
        self.index = index
        possibleRows = Self.propagate(index, selected)
    }

    var isRestricted: Bool { possibleRows.contains { $0 != nil } }

    /// The field's elements that occur in a possible row of some table holding it.
    func possibleElements(_ field: Int) -> [Bool] {
        Self.possible(field: field, index: index, possibleRows: possibleRows)
    }

    static func possible(field: Int, index: AssociativeIndex, possibleRows: [[Bool]?]) -> [Bool] {
        let info = index.fields[field]
        var possible = [Bool](repeating: false, count: info.cardinal)
        for (table, column) in info.tables {
            let elements = index.tables[table].elements[column]
            guard let rows = possibleRows[table] else { return [Bool](repeating: true, count: info.cardinal) }
            for row in rows.indices where rows[row] && elements[row] >= 0 { possible[Int(elements[row])] = true }
        }
        return possible
    }

    /// Restricts each table by its own selections, then by its neighbours over keys until nothing changes.
    private static func propagate(_ index: AssociativeIndex, _ selected: [Int: [Bool]]) -> [[Bool]?] {
        let tableCount = index.tables.count
        var rows = [[Bool]?](repeating: nil, count: tableCount)
        guard !selected.isEmpty else { return rows }
        var hasSelection = [Bool](repeating: false, count: tableCount)
        for field in selected.keys { for (table, _) in index.fields[field].tables { hasSelection[table] = true } }
        // Tables whose component holds no selection stay unrestricted.
        var restricted = [Bool](repeating: false, count: tableCount)
        for table in 0..<tableCount where hasSelection[table] { for reached in index.side(from: table, avoiding: -1) { restricted[reached] = true } }
        for table in 0..<tableCount where restricted[table] {
            var possible = [Bool](repeating: true, count: index.tables[table].rowCount)
            for (column, field) in index.tables[table].fields.enumerated() {
                guard let chosen = selected[field] else { continue }
                let elements = index.tables[table].elements[column]
                for row in possible.indices where possible[row] {
                    let element = elements[row]
                    possible[row] = element >= 0 && chosen[Int(element)]
                }
            }
            rows[table] = possible
        }
        struct Edge { let table: Int, column: Int, other: Int, otherColumn: Int, field: Int, selectedBeyond: Bool, presentBeyond: [Bool] }
        var edges: [Edge] = []
        for table in 0..<tableCount where restricted[table] {
            for (column, field) in index.tables[table].fields.enumerated() where index.fields[field].isKey {
                for (other, otherColumn) in index.fields[field].tables where other != table {
                    let beyond = index.side(from: other, avoiding: table)
                    var present = [Bool](repeating: false, count: index.fields[field].cardinal)
                    for element in index.tables[other].elements[otherColumn] where element >= 0 { present[Int(element)] = true }
                    edges.append(Edge(table: table, column: column, other: other, otherColumn: otherColumn, field: field,
                                      selectedBeyond: beyond.contains { hasSelection[$0] }, presentBeyond: present))
                }
            }
        }
        var changed = true
        while changed {
            changed = false
            for edge in edges {
                guard var possible = rows[edge.table] else { continue }
                var support = [Bool](repeating: false, count: index.fields[edge.field].cardinal)
                let otherElements = index.tables[edge.other].elements[edge.otherColumn]
                let otherRows = rows[edge.other]
                for row in otherElements.indices where otherRows?[row] ?? true {
                    let element = otherElements[row]
                    if element >= 0 { support[Int(element)] = true }
                }
                let elements = index.tables[edge.table].elements[edge.column]
                var removed = false
                for row in possible.indices where possible[row] {
                    let element = elements[row]
                    let kept = element >= 0
                        ? support[Int(element)] || (!edge.presentBeyond[Int(element)] && !edge.selectedBeyond)
                        : !edge.selectedBeyond
                    if !kept { possible[row] = false; removed = true }
                }
                if removed { rows[edge.table] = possible; changed = true }
            }
        }
        return rows
    }
}
