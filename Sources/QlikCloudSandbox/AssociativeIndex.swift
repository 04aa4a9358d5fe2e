import QVD

/// The engine's symbol tables over a whole data model: each field's distinct
/// values once (a key field shared by several tables has one list), and each
/// table's rows as element numbers of those lists. Selections and their
/// inference work on these numbers, never on cells.
final class AssociativeIndex: Sendable {
    struct Field: Sendable {
        let name: String
        /// Distinct non-null values, in load order (tables in model order, rows in order): element n is values[n].
        let values: [QlikValue]
        let elementOf: [QlikValue: Int32]
        /// The tables holding the field, and its column in each.
        let tables: [(table: Int, column: Int)]
        var cardinal: Int { values.count }
        var isKey: Bool { tables.count > 1 }
    }

    struct Table: Sendable {
        let name: String
        let rowCount: Int
        /// Field number of each column.
        let fields: [Int]
        /// Per column, each row's element number in its field (-2 for null).
        let elements: [[Int32]]
        /// Per column, the field element of each of the table's own element numbers
        /// (first appearance within this table, as ``ColumnIndex`` numbers them).
        let localToField: [[Int32]]
    }

    let fields: [Field]
    let tables: [Table]
    let fieldNumber: [String: Int]

    init(_ model: DataModel) {
        var names: [String] = []
        var numberOfName: [String: Int] = [:]
        var values: [[QlikValue]] = []
        var elementOf: [[QlikValue: Int32]] = []
        var placements: [[(table: Int, column: Int)]] = []
        var tables: [Table] = []
        for (tableNumber, table) in model.tables.enumerated() {
            var fieldsOfTable: [Int] = []
            var elementsOfTable: [[Int32]] = []
            var localMaps: [[Int32]] = []
            for (column, name) in table.fields.enumerated() {
                let field: Int
                if let known = numberOfName[name] {
                    field = known
                } else {
                    field = names.count
                    numberOfName[name] = field
                    names.append(name)
                    values.append([])
                    elementOf.append([:])
                    placements.append([])
                }
                placements[field].append((tableNumber, column))
                var local: [QlikValue: Int32] = [:]
                var localToField: [Int32] = []
                var rows: [Int32] = []
                rows.reserveCapacity(table.rowCount)
                for value in table.columns[column] {
                    guard !value.isNull else { rows.append(-2); continue }
                    let element: Int32
                    if let existing = elementOf[field][value] {
                        element = existing
                    } else {
                        element = Int32(values[field].count)
                        elementOf[field][value] = element
                        values[field].append(value)
                    }
                    if local[value] == nil {
                        local[value] = Int32(localToField.count)
                        localToField.append(element)
                    }
                    rows.append(element)
                }
                fieldsOfTable.append(field)
                elementsOfTable.append(rows)
                localMaps.append(localToField)
            }
            tables.append(Table(name: table.name, rowCount: table.rowCount, fields: fieldsOfTable, elements: elementsOfTable, localToField: localMaps))
        }
        fields = names.indices.map { Field(name: names[$0], values: values[$0], elementOf: elementOf[$0], tables: placements[$0]) }
        self.tables = tables
        fieldNumber = numberOfName
    }

    func field(_ name: String) -> Field? { fieldNumber[name].map { fields[$0] } }
    func table(_ name: String) -> Int? { tables.firstIndex { $0.name == name } }

    /// The tables reachable from `start` over keys without passing through `avoiding`: one side of an association.
    func side(from start: Int, avoiding: Int) -> Set<Int> {
        var reached: Set<Int> = [start], queue = [start]
        while let table = queue.popLast() {
            for field in tables[table].fields where fields[field].isKey {
                for other in fields[field].tables.map(\.table) where other != avoiding && reached.insert(other).inserted { queue.append(other) }
            }
        }
        return reached
    }
}
