import QVD

/// Deterministic large apps for benchmarks: the same seed gives the same
/// table, row for row. Columns cycle through kinds Qlik data has: ids,
/// low-cardinality codes, amounts, texts, dates.
enum LargeAppGenerator {
    static func table(name: String = "Facts", rows: Int, columns: Int = 10, seed: UInt64 = 1) -> DataTable {
        var dice = FaultDice(seed: seed)
        let texts = (0..<1000).map { QlikValue.text("item-\($0)") }
        let dates = (0..<3650).compactMap { day -> QlikValue? in
            let serial = 42_005 + day // 2015-01-01 onwards
            return .dual(Double(serial), "day \(serial)")
        }
        var fields: [String] = []
        var data: [[QlikValue]] = []
        for column in 0..<columns {
            var values: [QlikValue] = []
            values.reserveCapacity(rows)
            switch column % 5 {
            case 0:
                fields.append(column == 0 ? "ID" : "Key\(column)")
                for row in 0..<rows { values.append(.integer(Int64(row))) }
            case 1:
                fields.append("Code\(column)")
                for _ in 0..<rows { values.append(.integer(Int64(dice.roll() * 50))) }
            case 2:
                fields.append("Amount\(column)")
                for _ in 0..<rows { values.append(.double((dice.roll() * 1_000_000).rounded() / 100)) }
            case 3:
                fields.append("Name\(column)")
                for _ in 0..<rows { values.append(texts[Int(dice.roll() * Double(texts.count))]) }
            default:
                fields.append("Date\(column)")
                for _ in 0..<rows { values.append(dates[Int(dice.roll() * Double(dates.count))]) }
            }
            data.append(values)
        }
        return DataTable(name: name, fields: fields, columns: data)
    }
}
