import QVD

/// The rows of several associated tables joined over their keys, for a
/// hypercube whose dimensions come from more than one table. The join is
/// outer, as associations are: a row without a partner across a key is kept
/// with nulls on the other side, so a customer without orders still makes a
/// row. Each joined row remembers its source rows, so selections restrict it
/// by the inference of its tables.
struct JoinedRows {
    /// One column per requested field.
    let table: DataTable
    /// The joined tables, each with its row behind every joined row (-1: none).
    let sources: [(table: Int, rows: [Int32])]

    /// Joins the tables that hold `fields`, along the key paths between them; nil when a field is missing
    /// or the tables are not associated.
    init?(fields: [String], index: AssociativeIndex) {
        let numbers = fields.compactMap { index.fieldNumber[$0] }
        guard numbers.count == fields.count, let first = index.fields[numbers[0]].tables.first?.table else { return nil }
        // Tables in join order, each after the one it joins to, with the key between them.
        var order = [first]
        var links: [(parent: Int, child: Int, key: Int)] = []
        for number in numbers where !index.fields[number].tables.contains(where: { order.contains($0.table) }) {
            guard let path = Self.path(from: Set(order), to: Set(index.fields[number].tables.map(\.table)), index: index) else { return nil }
            for link in path { order.append(link.child); links.append(link) }
        }
        var tuples: [[Int32]] = (0..<index.tables[first].rowCount).map { [Int32($0)] }
        for link in links {
            let parentPosition = order.firstIndex(of: link.parent) ?? 0
            let parentColumn = index.tables[link.parent].fields.firstIndex(of: link.key) ?? 0
            let childColumn = index.tables[link.child].fields.firstIndex(of: link.key) ?? 0
            var rowsOfElement: [Int32: [Int32]] = [:]
            for (row, element) in index.tables[link.child].elements[childColumn].enumerated() where element >= 0 {
                rowsOfElement[element, default: []].append(Int32(row))
            }
            var matched = [Bool](repeating: false, count: index.tables[link.child].rowCount)
            var joined: [[Int32]] = []
            for tuple in tuples {
                let parentRow = tuple[parentPosition]
                let element = parentRow < 0 ? -2 : index.tables[link.parent].elements[parentColumn][Int(parentRow)]
                guard element >= 0, let partners = rowsOfElement[element] else { joined.append(tuple + [-1]); continue }
                for partner in partners { matched[Int(partner)] = true; joined.append(tuple + [partner]) }
            }
            let width = tuples.first?.count ?? 0
            for row in matched.indices where !matched[row] { joined.append([Int32](repeating: -1, count: width) + [Int32(row)]) }
            tuples = joined
        }
        sources = order.enumerated().map { position, table in (table, tuples.map { $0[position] }) }
        let columns: [[QlikValue]] = numbers.map { number in
            let position = order.firstIndex { index.tables[$0].fields.contains(number) } ?? 0
            let table = index.tables[order[position]]
            let column = table.fields.firstIndex(of: number) ?? 0
            return tuples.map { tuple in
                let row = tuple[position]
                guard row >= 0 else { return .null }
                let element = table.elements[column][Int(row)]
                return element < 0 ? .null : index.fields[number].values[Int(element)]
            }
        }
        table = DataTable(name: order.map { index.tables[$0].name }.joined(separator: "+"), fields: fields, columns: columns)
        // The cube numbers each column's values by first appearance, as ColumnIndex does; selections need the field's numbers.
        localToField = zip(numbers, columns).map { number, column in
            var seen = Set<QlikValue>()
            return column.filter { !$0.isNull && seen.insert($0).inserted }.map { index.fields[number].elementOf[$0] ?? 0 }
        }
    }

    /// Per column, the field element of each of the cube's element numbers.
    let localToField: [[Int32]]

    /// Which joined rows the inference leaves possible: every source row is possible, or absent. nil: all.
    func possibleRows(_ possible: [[Bool]?]) -> [Bool]? {
        guard sources.contains(where: { possible[$0.table] != nil }) else { return nil }
        return (0..<table.rowCount).map { row in
            sources.allSatisfy { source in
                let sourceRow = source.rows[row]
                return sourceRow < 0 || (possible[source.table]?[Int(sourceRow)] ?? true)
            }
        }
    }

    /// The shortest chain of key links from a joined table to one of `targets`.
    private static func path(from joined: Set<Int>, to targets: Set<Int>, index: AssociativeIndex) -> [(parent: Int, child: Int, key: Int)]? {
        var previous: [Int: (parent: Int, key: Int)] = [:]
        var queue = Array(joined), seen = joined
        while !queue.isEmpty {
            let table = queue.removeFirst()
            if targets.contains(table), !joined.contains(table) {
                var links: [(parent: Int, child: Int, key: Int)] = []
                var current = table
                while let step = previous[current] { links.insert((step.parent, current, step.key), at: 0); current = step.parent }
                return links
            }
            for key in index.tables[table].fields where index.fields[key].isKey {
                for (other, _) in index.fields[key].tables where seen.insert(other).inserted {
                    previous[other] = (table, key)
                    queue.append(other)
                }
            }
        }
        return nil
    }
}
