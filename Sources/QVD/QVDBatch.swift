/// A run of rows, column by column: each cell is an index into its field's
/// symbol table (-1 for NULL), resolved to a value only when asked.
public struct QVDBatch: Sendable {
    public let fields: [String]
    /// The number of the batch's first row in the file.
    public let firstRow: Int
    public let rowCount: Int
    let symbols: [SymbolTable]
    let indices: [[Int32]]

    /// The symbol index of a cell, nil for NULL.
    @inline(__always)
    public func symbolIndex(row: Int, column: Int) -> Int? {
        let index = indices[column][row]
        return index < 0 ? nil : Int(index)
    }

    @inline(__always)
    public subscript(row: Int, column: Int) -> QlikValue {
        let index = indices[column][row]
        return index < 0 ? .null : symbols[column].value(at: Int(index))
    }

    /// One column's values: the table's storage is looked at once per column, not per cell.
    public func values(column: Int) -> [QlikValue] {
        symbols[column].values(at: indices[column])
    }

    public func row(_ row: Int) -> [QlikValue] {
        (0..<fields.count).map { self[row, $0] }
    }

    public var rows: [[QlikValue]] { (0..<rowCount).map(row) }
}
