import Foundation
import QVD

extension Tenant {
    /// Adds an app holding a generated table of `rows` x `columns` (``LargeAppGenerator``), for
    /// benchmarks. The table is also kept as a QVD data file beside the app (in its space's DataFiles
    /// connection, or the personal one), and the app's script loads that file, so a reload rebuilds
    /// the same table. Returns the app.
    func addGeneratedApp(name: String, rows: Int, columns: Int, seed: UInt64, spaceID: String?, ownerID: String) -> SandboxApp {
        let table = LargeAppGenerator.table(rows: rows, columns: columns, seed: seed)
        let app = addApp(name: name, description: "\(rows) generated rows of \(columns) columns (seed \(seed)), loaded from a QVD data file",
                         spaceID: spaceID, ownerID: ownerID)
        do {
            let writer = try QVDWriter(tableName: table.name, fieldNames: table.fields)
            try writer.append(columns: table.columns)
            let file = addSeededDataFile(name: Self.fileName(for: name), content: try writer.finishInMemory(creatorDoc: app.id, now: clock()),
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

    /// The app's name with anything but letters, digits, spaces, dots, dashes and underscores made `_`, as a `.qvd` name.
    static func fileName(for appName: String) -> String {
        let safe = String(appName.map { $0.isLetter || $0.isNumber || " ._-".contains($0) ? $0 : "_" })
        return (safe.trimmingCharacters(in: .whitespaces).isEmpty ? "Generated" : safe) + ".qvd"
    }
}
