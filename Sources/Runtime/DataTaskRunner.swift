import Connector
import Foundation
import QlikCloudAPI
import QlikConnections

/// Discover, read, write and reload, run against a task's connection: the
/// same Connector code the command line used directly, with progress and
/// milestones written to the task's log.
struct DataTaskRunner: Sendable {
    let settings: TransportSettings
    let files: TaskFiles
    let progress: (@Sendable (TableExport.Progress) -> Void)?
    let note: @Sendable ([String]) async -> Void

    /// The task's outcome; an error thrown on the way is its error, with whether it was in the input.
    func run(_ kind: TaskKind, payload: Data, on connection: TaskConnection) async -> TaskOutcome {
        do {
            // Right before the first request: a host taken off the operator's list, or one that now resolves where it must not, is not reached;
            // the client connects to the address checked, and the engine's sockets check again before they open.
            let checked = try await TenantHostCheck.beforeRequests(to: connection.baseURL, hosts: connection.hosts, settings: settings)
            let client = try QlikCloudClient.make(tenant: connection.baseURL, authentication: connection.authentication, settings: checked.settings)
            return try await client.run { client in
                switch kind {
                case .discover: return try await discover(try TaskResults.decode(DiscoverParameters.self, from: payload), client)
                case .read: return try await read(try TaskResults.decode(ReadParameters.self, from: payload), client)
                case .write: return try await write(try TaskResults.decode(WriteParameters.self, from: payload), client)
                case .reload: return try await reload(try TaskResults.decode(ReloadParameters.self, from: payload), client)
                case .test, .noop: throw TaskParameterError(["A \(kind.rawValue) task is not a data task."])
                }
            }
        } catch {
            let (described, inputError) = TaskErrors.describe(error)
            // Errors from below (a file that cannot be read, a folder that cannot be written) name the absolute path.
            let message = files.shownError(described)
            await note(["Failed: \(message)"])
            return TaskOutcome(succeeded: false, result: TaskFailureResult(inputError: inputError).encoded, error: message)
        }
    }

    private func discover(_ parameters: DiscoverParameters, _ client: QlikCloudClient) async throws -> TaskOutcome {
        try parameters.validate()
        await note(["Cataloging \(client.baseURL)"])
        let pace = parameters.sequential == true ? Catalog.Pace.sequential : Catalog.Pace(concurrency: parameters.concurrency ?? 8, pipelined: true)
        // Written app by app as each is read: a thousand apps' catalog is held as its text, not as values many times its size.
        let catalog = try await Catalog.discoverJSON(client, filter: Catalog.Filter(space: parameters.space, spaceType: parameters.spaceType, app: parameters.app), pace: pace)
        await note(["Cataloged \(catalog.spaces) space(s), \(catalog.apps) app(s), \(catalog.dataFiles) data file(s)"
                    + (catalog.problems > 0 ? "; \(catalog.problems) object(s) could not be read (each named in its app's problems)" : "")])
        return TaskOutcome(succeeded: true, result: catalog.json)
    }

    private func read(_ parameters: ReadParameters, _ client: QlikCloudClient) async throws -> TaskOutcome {
        try parameters.validate()
        let path = try files.fileToWrite(parameters.path)
        let format = TableSink.Format(rawValue: parameters.resolvedFormat) ?? .csv
        let lookup = TenantLookup(client: client)
        let document: TableReader.Document
        let table: String
        if let app = parameters.app {
            let found = try await lookup.app(app)
            document = .app(found.id)
            table = parameters.table ?? ""
            await note(["Reading table '\(table)' of app '\(found.name)' into \(path)"])
        } else {
            let name = parameters.dataFile ?? ""
            _ = try await lookup.existingDataFile(named: name)
            table = (name as NSString).deletingPathExtension
            document = .sessionApp(script: TableExport.loadScript(dataFile: name, table: table))
            await note(["Reading data file '\(name)' into \(path)"])
        }
        if let selections = parameters.selections, !selections.isEmpty {
            await note(["Only rows associated with the selections " + selections.map(\.written).joined(separator: "; ")])
        }
        // Folders on the way are made, as a user naming out/orders.csv expects.
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        // Progress goes to the log at each tenth of the table; the stream keeps the read from waiting on the log.
        let (milestones, sink) = AsyncStream.makeStream(of: TableExport.Progress.self, bufferingPolicy: .bufferingNewest(16))
        let show = progress
        let summary = try await withThrowingTaskGroup(of: TableExport.Summary?.self) { group in
            group.addTask {
                var logged = -1
                for await step in milestones {
                    let tenth = step.totalRows > 0 ? min(10, step.rows * 10 / step.totalRows) : 0
                    guard tenth > logged else { continue }
                    logged = tenth
                    await note(["\(step.rows) of \(step.totalRows) rows"])
                }
                return nil
            }
            defer { sink.finish() }
            let summary = try await TableExport(client: client).run(document: document, table: table, fields: parameters.fields,
                                                                  selections: parameters.selections ?? [], to: path, format: format) { step in
                show?(step)
                sink.yield(step)
            }
            sink.finish()
            try await group.waitForAll()
            return summary
        }
        await note(["Read \(summary.rows) rows of \(summary.fields.count) fields into \(summary.path)"])
        let result = ReadResult(path: files.shown(summary.path), table: summary.table, rows: summary.rows, fields: summary.fields, types: summary.types.map(\.rawValue),
                                reconnects: summary.reconnects, mergedRows: summary.mergedRows, selections: parameters.selections)
        return TaskOutcome(succeeded: true, result: try TaskResults.encode(result))
    }

    private func write(_ parameters: WriteParameters, _ client: QlikCloudClient) async throws -> TaskOutcome {
        try parameters.validate()
        let path = try files.existingFile(parameters.path)
        let lookup = TenantLookup(client: client)
        var apps: [TenantLookup.AppRef] = []
        for name in parameters.reload { apps.append(try await lookup.app(name)) }
        var connectionID: String?
        if let space = parameters.space { connectionID = try await lookup.dataFilesConnection(of: try await lookup.space(space)) }
        await note(["Uploading \(path) as data file '\(parameters.dataFile)' (\(parameters.resolvedFormat), \(parameters.mode))"])
        let summary = try await DataFileImport(client: client).run(
            from: path, dataFile: parameters.dataFile, format: TableSink.Format(rawValue: parameters.resolvedFormat) ?? .qvd,
            mode: DataFileImport.Mode(rawValue: parameters.mode) ?? .create, spaceConnectionID: connectionID, reload: apps, wait: parameters.wait)
        let reloads = summary.reloads.map { ReloadResult(app: $0.app.name, reload: $0.reload) }
        await note(["\(summary.replaced ? "Replaced" : "Created") data file '\(summary.dataFile.name)' (\(summary.bytes) bytes)"]
                   + reloads.map { "Reload of '\($0.app)': \($0.status) (\($0.id))" })
        let result = WriteResult(dataFile: .init(id: summary.dataFile.id, name: summary.dataFile.name, size: summary.bytes), format: summary.format.rawValue,
                                 replaced: summary.replaced, throughTempContent: summary.throughTempContent, reloads: reloads)
        let failed = reloads.filter(\.failed)
        return TaskOutcome(succeeded: failed.isEmpty, result: try TaskResults.encode(result),
                           error: failed.isEmpty ? nil : "Reload of \(failed.map { "'\($0.app)'" }.joined(separator: ", ")) ended \(failed.map(\.status).joined(separator: ", ")).")
    }

    private func reload(_ parameters: ReloadParameters, _ client: QlikCloudClient) async throws -> TaskOutcome {
        try parameters.validate()
        let found = try await TenantLookup(client: client).app(parameters.app)
        let queued = try await client.createReload(appID: found.id)
        await note(["Reload of '\(found.name)' queued (\(queued.id))"])
        let reload = parameters.wait ? try await client.waitForReload(id: queued.id) : queued
        let result = ReloadResult(app: found.name, reload: reload)
        if parameters.wait { await note(["Reload of '\(found.name)': \(result.status)"]) }
        return TaskOutcome(succeeded: !result.failed, result: try TaskResults.encode(result),
                           error: result.failed ? "Reload of '\(found.name)' ended \(result.status)." : nil)
    }
}
