public import Foundation

/// CSV to QVD and back, streaming in both directions.
public enum CSVConversion {
    public struct Summary: Sendable, Equatable {
        public let rows: Int
        public let fields: [String]
    }

    /// Reads a CSV whose first record names the fields and writes a QVD at
    /// `output` (in place only once complete). Columns whose values are all
    /// dates or all timestamps get Qlik's DATE or TIMESTAMP format.
    @discardableResult
    public static func csvToQVD(input: String, output: String, tableName: String, batchRows: Int = 10_000) throws(QVDError) -> Summary {
        let reader = try CSVReader(path: input)
        guard let names = try reader.next() else { throw QVDError(.invalidInput, "\(input) is empty: the first line must name the fields") }
        let writer = try QVDWriter(tableName: tableName, fieldNames: names)
        var kinds = Array(repeating: ColumnKind.unknown, count: names.count)
        var batch: [[QlikValue]] = []
        batch.reserveCapacity(batchRows)
        while let record = try reader.next() {
            if record == [""] && names.count > 1 { continue } // a blank line
            guard record.count == names.count else {
                throw QVDError(.invalidInput, "\(input), line \(reader.line - 1): \(record.count) fields where the header has \(names.count)")
            }
            var row: [QlikValue] = []
            row.reserveCapacity(record.count)
            for (index, cell) in record.enumerated() {
                let value = CSVValueParser.value(cell)
                kinds[index] = kinds[index].merged(with: ColumnKind(value))
                row.append(value)
            }
            batch.append(row)
            if batch.count == batchRows {
                try writer.append(rows: batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try writer.append(rows: batch)
        for (name, kind) in zip(names, kinds) {
            if kind == .date { try writer.setNumberFormat(.date, forField: name) }
            if kind == .timestamp { try writer.setNumberFormat(.timestamp, forField: name) }
        }
        try writer.finish(to: output)
        return Summary(rows: writer.rowCount, fields: names)
    }

    /// Writes a QVD's rows as CSV, header first; NULL becomes an empty field.
    @discardableResult
    public static func qvdToCSV(input: String, to handle: FileHandle, fields: [String]? = nil) throws(QVDError) -> Summary {
        let reader = try QVDReader(path: input)
        var batches = try reader.batches(fields: fields)
        let writer = CSVWriter(handle: handle)
        try writer.write(record: batches.fieldNames)
        var rows = 0
        var record: [String] = []
        while let batch = try batches.next() {
            for row in 0..<batch.rowCount {
                record.removeAll(keepingCapacity: true)
                for column in 0..<batch.fields.count { record.append(batch[row, column].displayText ?? "") }
                try writer.write(record: record)
            }
            rows += batch.rowCount
        }
        try writer.flush()
        return Summary(rows: rows, fields: batches.fieldNames)
    }

    /// Tracks whether a column holds only dates or only timestamps.
    enum ColumnKind: Equatable {
        case unknown, date, timestamp, other

        init(_ value: QlikValue) {
            switch value {
            case .null: self = .unknown
            case .dual(_, let text) where text.utf8.count == 10: self = .date
            case .dual(_, let text) where text.utf8.count == 19: self = .timestamp
            default: self = .other
            }
        }

        func merged(with other: ColumnKind) -> ColumnKind {
            if self == .unknown { return other }
            if other == .unknown || other == self { return self }
            return .other
        }
    }
}
