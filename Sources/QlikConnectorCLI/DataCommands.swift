import ArgumentParser
import Connector
import Foundation
import QlikCloudAPI

struct ReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Stream a table of an app, or a data file's rows, into a CSV, JSON Lines or QVD file.",
        discussion: """
            Values are typed from the fields' tags: text, integer, double, date, timestamp, or dual (see the README).
            The file appears under its name only once complete. Examples:
              qlik-connector read "Sales EU" --app "Sales Analysis" --table Orders --to orders.qvd
              qlik-connector read "Sales EU" --data-file orders.csv --to orders.jsonl
            """
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: ConnectionOptions
    @Option(help: "The app (name or id).") var app: String?
    @Option(help: "The table of the app.") var table: String?
    @Option(help: "Only these fields, in this order (comma-separated).") var fields: String?
    @Option(help: "A data file to read instead of an app's table.") var dataFile: String?
    @Option(help: "Output file: .csv, .jsonl or .qvd.") var to: String
    @Option(help: "Output format, when the file's extension does not say it: csv, jsonl or qvd.") var format: String?
    @Flag(help: "Print the summary as JSON.") var json = false

    func validate() throws {
        guard (app == nil) != (dataFile == nil) else { throw ValidationError("Give --app with --table, or --data-file.") }
        if app != nil, table == nil { throw ValidationError("--app needs --table.") }
        guard format.flatMap(TableSink.Format.init(rawValue:)) ?? TableSink.Format(path: to) != nil else {
            throw ValidationError("\(to): the output must end in .csv, .jsonl or .qvd (or give --format).")
        }
    }

    func run() async throws {
        let workspace = try await Workspace.open(global)
        try await target.client(workspace).run { client in
            let outputFormat = format.flatMap(TableSink.Format.init(rawValue:)) ?? TableSink.Format(path: to) ?? .csv
            let lookup = TenantLookup(client: client)
            let document: TableReader.Document
            let tableName: String
            let label: String
            if let app {
                let found = try await lookup.app(app)
                document = .app(found.id)
                tableName = table ?? ""
                label = "\(found.name) / \(tableName)"
            } else {
                let name = dataFile ?? ""
                _ = try await lookup.existingDataFile(named: name)
                tableName = (name as NSString).deletingPathExtension
                document = .sessionApp(script: TableExport.loadScript(dataFile: name, table: tableName))
                label = name
            }
            let printer = ProgressPrinter(label: label)
            let wanted = fields?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let summary = try await TableExport(client: client).run(document: document, table: tableName, fields: wanted, to: to, format: outputFormat) { progress in
                printer.show(rows: progress.rows, total: progress.totalRows, elapsed: progress.elapsed)
            }
            if json {
                let view: [String: Any] = ["path": summary.path, "table": summary.table, "rows": summary.rows, "fields": summary.fields,
                                           "types": summary.types.map(\.rawValue), "reconnects": summary.reconnects, "mergedRows": summary.mergedRows]
                print(String(decoding: try JSONSerialization.data(withJSONObject: view, options: [.sortedKeys]), as: UTF8.self))
            } else {
                print("Read \(summary.rows) rows of \(summary.fields.count) fields into \(summary.path).")
                if summary.mergedRows > 0 {
                    print("Note: \(summary.mergedRows) rows were identical to others in every field read and came out once (the engine reads distinct rows).")
                }
            }
        }
    }
}

struct WriteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Upload a CSV, JSON Lines or QVD file as a data file, then reload apps that load it.",
        discussion: """
            A replacement is atomic: the old file stays whole until the new one is complete. Files above the tenant's
            direct-upload quota go through temporary contents. Example:
              qlik-connector write "Sales EU" --from orders.csv --data-file orders.qvd --mode replace --reload "Sales Analysis" --wait
            """
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: ConnectionOptions
    @Option(help: "Input file: .csv, .jsonl or .qvd.") var from: String
    @Option(help: "The data file's name.") var dataFile: String
    @Option(help: "The space whose data files it joins (name or id; the personal space when absent).") var space: String?
    @Option(help: "qvd or csv (default: from the data file's extension, else qvd).") var format: String?
    @Option(help: "create (refuse an existing file) or replace.") var mode: String = "create"
    @Option(parsing: .upToNextOption, help: "Apps to reload afterwards (names or ids).") var reload: [String] = []
    @Flag(help: "Wait for the reloads to finish; print the log of any that fails.") var wait = false
    @Flag(help: "Print the summary as JSON.") var json = false

    func validate() throws {
        guard DataFileImport.Mode(rawValue: mode) != nil else { throw ValidationError("--mode takes create or replace.") }
        if let format, !["qvd", "csv"].contains(format) { throw ValidationError("--format takes qvd or csv.") }
    }

    func run() async throws {
        let workspace = try await Workspace.open(global)
        try await target.client(workspace).run { client in
            let lookup = TenantLookup(client: client)
            var apps: [TenantLookup.AppRef] = []
            for name in reload { apps.append(try await lookup.app(name)) }
            let connectionID = try await space.asyncMap { try await lookup.dataFilesConnection(of: try await lookup.space($0)) }
            let outputFormat = format.flatMap(TableSink.Format.init(rawValue:)) ?? (dataFile.lowercased().hasSuffix(".csv") ? .csv : .qvd)
            let summary = try await DataFileImport(client: client).run(from: from, dataFile: dataFile, format: outputFormat,
                                                                      mode: DataFileImport.Mode(rawValue: mode) ?? .create, spaceConnectionID: connectionID,
                                                                      reload: apps, wait: wait)
            let failed = summary.reloads.filter { $0.reload.status.isFinal && $0.reload.status != .succeeded }
            if json {
                let view: [String: Any] = [
                    "dataFile": ["id": summary.dataFile.id, "name": summary.dataFile.name, "size": summary.bytes], "format": summary.format.rawValue,
                    "replaced": summary.replaced, "throughTempContent": summary.throughTempContent,
                    "reloads": summary.reloads.map { ["app": $0.app.name, "id": $0.reload.id, "status": $0.reload.status.rawValue] },
                ]
                print(String(decoding: try JSONSerialization.data(withJSONObject: view, options: [.sortedKeys]), as: UTF8.self))
            } else {
                print("\(summary.replaced ? "Replaced" : "Created") data file '\(summary.dataFile.name)' (\(summary.bytes) bytes, \(summary.format.rawValue)\(summary.throughTempContent ? ", through temporary contents" : "")).")
                for (app, reload) in summary.reloads { print("Reload of '\(app.name)': \(reload.status.rawValue) (\(reload.id))") }
            }
            for (app, reload) in failed {
                FileHandle.standardError.write(Data("Reload of '\(app.name)' \(reload.status.rawValue). Its log:\n\(reload.log ?? "(no log)")\n".utf8))
            }
            if !failed.isEmpty { throw ExitCode(1) }
        }
    }
}

struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reload", abstract: "Reload an app; with --wait, until it ends (log printed on failure).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: ConnectionOptions
    @Option(help: "The app (name or id).") var app: String
    @Flag(help: "Wait for the reload to finish.") var wait = false
    @Flag(help: "Print the reload as JSON.") var json = false

    func run() async throws {
        let workspace = try await Workspace.open(global)
        try await target.client(workspace).run { client in
            let found = try await TenantLookup(client: client).app(app)
            let queued = try await client.createReload(appID: found.id)
            let reload = wait ? try await client.waitForReload(id: queued.id) : queued
            if json {
                let view: [String: Any] = ["app": found.name, "id": reload.id, "status": reload.status.rawValue, "log": reload.log ?? ""]
                print(String(decoding: try JSONSerialization.data(withJSONObject: view, options: [.sortedKeys]), as: UTF8.self))
            } else {
                print("Reload of '\(found.name)': \(reload.status.rawValue) (\(reload.id))")
            }
            if reload.status.isFinal, reload.status != .succeeded {
                FileHandle.standardError.write(Data("Its log:\n\(reload.log ?? "(no log)")\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
