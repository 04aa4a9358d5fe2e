import QVD

/// An app's data, as the engine holds it after a reload: named tables of
/// columns, each cell a text, number, dual or null.
struct DataTable: Sendable, Equatable {
    var name: String
    var fields: [String]
    /// Column-major: `columns[f][r]` is field f of row r.
    var columns: [[QlikValue]]

    var rowCount: Int { columns.first?.count ?? 0 }

    mutating func append(_ other: DataTable) {
        for (index, field) in fields.enumerated() {
            guard let source = other.fields.firstIndex(of: field) else { continue }
            columns[index] += other.columns[source]
        }
    }
}

struct DataModel: Sendable, Equatable {
    var tables: [DataTable] = []

    func table(_ name: String) -> DataTable? { tables.first { $0.name == name } }
}
