import Foundation
import QVD

/// A tenant on disk under `--data DIR`, so a restarted sandbox keeps it:
/// the state as `tenant.json`, replaced atomically after every change; data
/// files and temporary contents as files of their own; each app's data model
/// as QVD files, one per table, in a folder per saved generation.
struct TenantStore: Sendable {
    let directory: URL

    enum ContentKind: String, Sendable, CaseIterable { case dataFiles = "data-files", tempContents = "temp-contents" }

    init(directory path: String) throws(SandboxSetupError) {
        directory = URL(fileURLWithPath: path, isDirectory: true)
        do {
            for folder in ContentKind.allCases.map(\.rawValue) + ["models"] {
                try FileManager.default.createDirectory(at: directory.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
        } catch {
            throw SandboxSetupError("Cannot use \(path) as the sandbox's data directory: \(error.localizedDescription)")
        }
    }

    private var stateFile: URL { directory.appendingPathComponent("tenant.json") }

    /// The tenant saved here with its contents and models, or nil for a new directory.
    func load() throws(SandboxSetupError) -> (snapshot: TenantSnapshot, contents: [ContentKind: [String: [UInt8]]], models: [String: DataModel])? {
        guard FileManager.default.fileExists(atPath: stateFile.path) else { return nil }
        let snapshot: TenantSnapshot
        do {
            let decoder = JSONDecoder()
            snapshot = try decoder.decode(TenantSnapshot.self, from: Data(contentsOf: stateFile))
        } catch {
            throw SandboxSetupError("\(stateFile.path) is not a sandbox tenant this version can read: \(error)")
        }
        guard snapshot.format == TenantSnapshot.currentFormat else {
            throw SandboxSetupError("\(stateFile.path) has format \(snapshot.format); this sandbox reads format \(TenantSnapshot.currentFormat).")
        }
        var contents: [ContentKind: [String: [UInt8]]] = [:]
        for (kind, ids) in [(ContentKind.dataFiles, snapshot.dataFiles.map(\.id)), (.tempContents, snapshot.tempContents.map(\.id))] {
            for id in ids {
                do {
                    contents[kind, default: [:]][id] = try [UInt8](Data(contentsOf: contentFile(kind, id)))
                } catch {
                    throw SandboxSetupError("The tenant in \(directory.path) lists \(kind.rawValue) \(id), but its file cannot be read: \(error.localizedDescription)")
                }
            }
        }
        var models: [String: DataModel] = [:]
        for (appID, record) in snapshot.models {
            models[appID] = try readModel(appID: appID, record: record)
        }
        return (snapshot, contents, models)
    }

    func save(_ snapshot: TenantSnapshot) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(snapshot).write(to: stateFile, options: .atomic)
    }

    func write(_ kind: ContentKind, id: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: contentFile(kind, id), options: .atomic)
    }

    func remove(_ kind: ContentKind, id: String) throws {
        let file = contentFile(kind, id)
        if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
    }

    /// Writes a model as a new generation; the caller saves the state that points to it, then drops the older ones.
    func write(model: DataModel, appID: String, generation: Int) throws -> TenantSnapshot.ModelRecord {
        let folder = modelFolder(appID, generation)
        if FileManager.default.fileExists(atPath: folder.path) { try FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (index, table) in model.tables.enumerated() {
            let writer = try QVDWriter(tableName: table.name, fieldNames: table.fields)
            try writer.append(columns: table.columns)
            _ = try writer.finish(to: folder.appendingPathComponent("\(index).qvd").path, creatorDoc: appID)
        }
        return TenantSnapshot.ModelRecord(generation: generation, tables: model.tables.count)
    }

    /// Removes every saved model generation of the app except `keep`.
    func removeModels(appID: String, keeping keep: Int?) throws {
        let models = directory.appendingPathComponent("models")
        for name in try FileManager.default.contentsOfDirectory(atPath: models.path) where name.hasPrefix(appID + ".") {
            if let keep, name == "\(appID).\(keep)" { continue }
            try FileManager.default.removeItem(at: models.appendingPathComponent(name))
        }
    }

    private func readModel(appID: String, record: TenantSnapshot.ModelRecord) throws(SandboxSetupError) -> DataModel {
        var model = DataModel()
        for index in 0..<record.tables {
            let path = modelFolder(appID, record.generation).appendingPathComponent("\(index).qvd").path
            do {
                let reader = try QVDReader(path: path)
                var batches = try reader.batches()
                var columns = Array(repeating: [QlikValue](), count: reader.fieldNames.count)
                while let batch = try batches.next() {
                    for column in columns.indices { columns[column] += batch.values(column: column) }
                }
                model.tables.append(DataTable(name: reader.header.tableName, fields: reader.fieldNames, columns: columns))
            } catch {
                throw SandboxSetupError("The data model of app \(appID) cannot be read from \(path): \(error)")
            }
        }
        return model
    }

    private func contentFile(_ kind: ContentKind, _ id: String) -> URL {
        directory.appendingPathComponent(kind.rawValue).appendingPathComponent(id)
    }

    private func modelFolder(_ appID: String, _ generation: Int) -> URL {
        directory.appendingPathComponent("models").appendingPathComponent("\(appID).\(generation)")
    }
}

/// Why a sandbox could not start: its data directory, fixture or TLS files.
public struct SandboxSetupError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
