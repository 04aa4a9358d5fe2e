import Foundation
import QVD

extension Tenant {
    /// Adds an app holding a generated table of `rows` x `columns` (``LargeAppGenerator``), for
    /// benchmarks. The table is also kept as a QVD data file beside the app (in its space's DataFiles
    /// connection, or the personal one), and the app's script loads that file, so a reload rebuilds
    /// the same table. Returns the app.
    func addGeneratedApp(name: String, rows: Int, columns: Int, seed: UInt64, spaceID: String?, ownerID: String) -> SandboxApp {
        let (table, elements) = LargeAppGenerator.generate(rows: rows, columns: columns, seed: seed)
        let app = addApp(name: name, description: "\(rows) generated rows of \(columns) columns (seed \(seed)), loaded from a QVD data file",
                         spaceID: spaceID, ownerID: ownerID)
        do {
            let file = addSeededDataFile(name: Self.fileName(for: name), content: try Self.qvd(table, elements: elements, creatorDoc: app.id, now: clock()),
                                         ownerID: ownerID, spaceID: spaceID)
            // The file's name is made of characters that need no escaping inside [ ].
            _ = setScript(app.id, script: "\(table.name):\nLOAD * FROM [lib://DataFiles/\(file.name)] (qvd);", message: "Generated", userID: ownerID)
        } catch {
            // The app still holds its data; only a reload cannot rebuild it (its script stays empty).
            logger.error("The sandbox could not write the QVD of generated app '\(name)', so its reload will not rebuild the data: \(error)")
        }
        setDataModel(app.id, DataModel(tables: [table]))
        return self.app(app.id) ?? app
    }

    /// The table as a QVD file, given in batches of rows with each cell's element number, so a value
    /// repeated across a million rows is encoded once (amounts, not numbered, are looked up by value).
    static func qvd(_ table: DataTable, elements: [[Int32]?], creatorDoc: String, now: Date) throws(QVDError) -> [UInt8] {
        let writer = try QVDWriter(tableName: table.name, fieldNames: table.fields)
        let width = table.fields.count, batch = 1 << 16
        var start = 0
        while start < table.rowCount {
            let rows = min(batch, table.rowCount - start)
            var cells = [Int32](repeating: -1, count: rows * width)
            for (field, numbers) in elements.enumerated() {
                guard let numbers else { continue }
                for row in 0..<rows { cells[row * width + field] = numbers[start + row] }
            }
            let first = start
            try cells.withUnsafeBufferPointer { buffer throws(QVDError) in
                try writer.append(rowCount: rows, elements: buffer) { cell in table.columns[cell % width][first + cell / width] }
            }
            start += rows
        }
        return try writer.finishInMemory(creatorDoc: creatorDoc, now: now)
    }

    /// The app's name with anything but letters, digits, spaces, dots, dashes and underscores made `_`, as a `.qvd` name.
    static func fileName(for appName: String) -> String {
        let safe = String(appName.map { $0.isLetter || $0.isNumber || " ._-".contains($0) ? $0 : "_" })
        return (safe.trimmingCharacters(in: .whitespaces).isEmpty ? "Generated" : safe) + ".qvd"
    }
}
