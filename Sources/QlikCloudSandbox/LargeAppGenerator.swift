import QVD

/// Deterministic large apps for benchmarks: the same seed gives the same
/// table, row for row. Columns cycle through kinds Qlik data has: ids,
/// low-cardinality codes, amounts, texts, dates.
enum LargeAppGenerator {
    static func table(name: String = "Facts", rows: Int, columns: Int = 10, seed: UInt64 = 1) -> DataTable {
        generate(name: name, rows: rows, columns: columns, seed: seed).table
    }

    /// The table, and for each column the number of each cell's value among the column's
    /// values (equal numbers, equal values), or nil where values are not numbered (amounts):
    /// a QVD writer then builds each repeated value once (``QVDWriter/append(rowCount:elements:value:)``).
    static func generate(name: String = "Facts", rows: Int, columns: Int = 10, seed: UInt64 = 1) -> (table: DataTable, elements: [[Int32]?]) {
        var dice = FaultDice(seed: seed)
        let texts = (0..<1000).map { QlikValue.text("item-\($0)") }
        let dates = (0..<3650).compactMap { day -> QlikValue? in
            let serial = 42_005 + day // 2015-01-01 onwards
            return .dual(Double(serial), "day \(serial)")
        }
        var fields: [String] = []
        var data: [[QlikValue]] = []
        var numbers: [[Int32]?] = []
        for column in 0..<columns {
            var values: [QlikValue] = []
            values.reserveCapacity(rows)
            var elements: [Int32] = []
            elements.reserveCapacity(rows)
            /// Picks one of `choices` by the next roll of the dice.
            func pick(_ choices: [QlikValue]) {
                let index = Int(dice.roll() * Double(choices.count))
                values.append(choices[index])
                elements.append(Int32(index))
            }
            switch column % 5 {
            case 0:
                fields.append(column == 0 ? "ID" : "Key\(column)")
                for row in 0..<rows {
                    values.append(.integer(Int64(row)))
                    elements.append(Int32(truncatingIfNeeded: row))
                }
            case 1:
                fields.append("Code\(column)")
                for _ in 0..<rows {
                    let code = Int(dice.roll() * 50)
                    values.append(.integer(Int64(code)))
                    elements.append(Int32(code))
                }
            case 2:
                fields.append("Amount\(column)")
                for _ in 0..<rows { values.append(.double((dice.roll() * 1_000_000).rounded() / 100)) }
            case 3:
                fields.append("Name\(column)")
                for _ in 0..<rows { pick(texts) }
            default:
                fields.append("Date\(column)")
                for _ in 0..<rows { pick(dates) }
            }
            data.append(values)
            // Ids past Int32 cannot be numbered; their values are all distinct anyway.
            numbers.append(elements.isEmpty || rows > Int(Int32.max) ? nil : elements)
        }
        return (DataTable(name: name, fields: fields, columns: data), numbers)
    }
}
