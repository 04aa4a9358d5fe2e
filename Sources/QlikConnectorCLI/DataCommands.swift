import ArgumentParser
import Connector
import Foundation
import QlikCloudAPI
import Runtime

struct ReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Stream a table of an app, or a data file's rows, into a CSV, JSON Lines or QVD file.",
        discussion: """
            Values are typed from the fields' tags: text, integer, double, date, timestamp, or dual (see the README).
            The file appears under its name only once complete.
            With --select, only the rows associated with the selections are read (each narrows the others, as in Qlik). Examples:
              qlik-connector read "Sales EU" --app "Sales Analysis" --table Orders --to orders.qvd
              qlik-connector read "Sales EU" --app "Sales Analysis" --table Orders --select Region=EMEA,APAC --select Channel=Web --to web.csv
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
    @Option(name: .customLong("select"),
            help: ArgumentHelp("Select values in a field before reading (repeatable; each narrows the others): FIELD=VALUE[,VALUE...]. "
                + "Quote a value holding a comma, '=' or surrounding spaces in double quotes, a double quote inside doubled: "
                + "'Region=\"North, East\",West'. Texts match texts exactly, numbers match numbers.", valueName: "field=values"))
    var select: [String] = []
    @Flag(help: "Print the summary as JSON.") var json = false

    var parameters: ReadParameters {
        get throws(FieldSelection.Invalid) {
            let selections = try select.map { text throws(FieldSelection.Invalid) in try FieldSelection(parsing: text) }
            return ReadParameters(app: app, table: table, dataFile: dataFile,
                                  fields: fields?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }, path: to, format: format,
                                  selections: selections.isEmpty ? nil : selections)
        }
    }

    func validate() throws {
        do { try parameters.validate() } catch let error as FieldSelection.Invalid {
            throw ValidationError("--select: \(error.description)")
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() async throws {
        let workspace = try await Workspace.open(global)
        let printer = ProgressPrinter(label: app.map { "\($0) / \(table ?? "")" } ?? dataFile ?? to)
        let (task, _) = try await target.taskRun(workspace) { progress in
            printer.show(rows: progress.rows, total: progress.totalRows, elapsed: progress.elapsed)
        }.run(.read, try parameters)
        let summary = try ConnectionTaskRun.result(ReadResult.self, of: task)
        if json {
            try Output.json(summary)
        } else {
            Terminal.current.line("Read \(summary.rows) rows of \(summary.fields.count) fields into \(summary.path).".printable)
            if let selections = summary.selections, !selections.isEmpty {
                let written = selections.map(\.written).joined(separator: "; ")
                Terminal.current.line((summary.rows == 0 ? "No rows are associated with the selections \(written)." : "Only rows associated with the selections \(written).").printable)
            }
            if summary.mergedRows > 0 {
                Terminal.current.line("Note: \(summary.mergedRows) rows were identical to others in every field read and came out once (the engine reads distinct rows).")
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

    var parameters: WriteParameters {
        WriteParameters(path: from, dataFile: dataFile, space: space, format: format, mode: mode, reload: reload, wait: wait)
    }

    func validate() throws {
        do { try parameters.validate() } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        let workspace = try await Workspace.open(global)
        let (task, _) = try await target.taskRun(workspace).run(.write, parameters)
        let summary = try ConnectionTaskRun.result(WriteResult.self, of: task)
        if json {
            try Output.json(summary)
        } else {
            Terminal.current.line("\(summary.replaced ? "Replaced" : "Created") data file '\(summary.dataFile.name)' (\(summary.dataFile.size) bytes, \(summary.format)\(summary.throughTempContent ? ", through temporary contents" : "")).".printable)
            for reload in summary.reloads { Terminal.current.line("Reload of '\(reload.app)': \(reload.status) (\(reload.id))".printable) }
        }
        let failed = summary.reloads.filter(\.failed)
        for reload in failed {
            Terminal.current.errorText("\("Reload of '\(reload.app)' \(reload.status).".printable) Its log:\n\((reload.log ?? "(no log)").printableLines)\n")
        }
        if !failed.isEmpty { throw ExitCode(1) }
    }
}

struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reload", abstract: "Reload an app; with --wait, until it ends (log printed on failure).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: ConnectionOptions
    @Option(help: "The app (name or id).") var app: String
    @Flag(help: "Wait for the reload to finish.") var wait = false
    @Flag(help: "Print the reload as JSON.") var json = false

    func validate() throws {
        do { try ReloadParameters(app: app, wait: wait).validate() } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        let workspace = try await Workspace.open(global)
        let (task, _) = try await target.taskRun(workspace).run(.reload, ReloadParameters(app: app, wait: wait))
        let reload = try ConnectionTaskRun.result(ReloadResult.self, of: task)
        if json {
            try Output.json(reload)
        } else {
            Terminal.current.line("Reload of '\(reload.app)': \(reload.status) (\(reload.id))".printable)
        }
        if reload.failed {
            Terminal.current.errorText("Its log:\n\((reload.log ?? "(no log)").printableLines)\n")
            throw ExitCode(1)
        }
    }
}

