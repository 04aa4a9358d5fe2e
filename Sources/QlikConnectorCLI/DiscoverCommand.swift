import ArgumentParser
import Connector
import Foundation
import QlikCloudAPI
import Runtime

struct DiscoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "Catalog the tenant: spaces, apps with their data models, data files, and lineage from the load scripts.",
        discussion: """
            Patterns take * and ? (case-insensitive); without them they match part of a name. Example:
              qlik-connector discover "Sales EU" --space "Fin*" --json
              qlik-connector discover "Sales EU" --format openlineage > events.jsonl
            """
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: ConnectionOptions
    @Option(help: "Only spaces whose name matches.") var space: String?
    @Option(help: "Only spaces of this type: shared, managed or data.") var spaceType: String?
    @Option(help: "Only apps whose name matches.") var app: String?
    @Flag(help: "Print the catalog as JSON.") var json = false
    @Option(help: "text (default), json, or openlineage (one run event per app and line).") var format: String?
    @Option(help: "Apps read at once, one engine session each (1 to 256).") var concurrency: Int = 8
    @Flag(help: "One app at a time and one request in flight, as simple clients read (for comparison).") var sequential = false

    func validate() throws {
        if let format, !["text", "json", "openlineage"].contains(format) { throw ValidationError("--format takes text, json or openlineage.") }
        if let spaceType, !["shared", "managed", "data"].contains(spaceType) { throw ValidationError("--space-type takes shared, managed or data.") }
        if !(1...256).contains(concurrency) { throw ValidationError("--concurrency takes 1 to 256 (apps read at once); got \(concurrency).") }
    }

    func run() async throws {
        let workspace = try await Workspace.open(global)
        let (task, _) = try await target.taskRun(workspace).run(.discover, DiscoverParameters(space: space, spaceType: spaceType, app: app,
                                                                                                  concurrency: concurrency, sequential: sequential ? true : nil))
        let shown = json ? "json" : (format ?? "text")
        if shown == "json" {
            // Printed from the task's text, indented: a large catalog is never held as values, nor decoded to check its shape.
            let text = try ConnectionTaskRun.resultText(of: task)
            guard let members = IndentedJSON.members(of: text), members["apps"] == UInt8(ascii: "["), members["tenant"] == UInt8(ascii: "\"") else {
                throw CLIError.failure("Task \(task.id) gave a result this command cannot read (another version ran it?): "
                    + "expected a catalog, a JSON object with apps (an array) and tenant (a string).")
            }
            IndentedJSON.write(text, to: Terminal.current)
            return
        }
        let catalog = try ConnectionTaskRun.result(Catalog.self, of: task)
        switch shown {
        case "openlineage":
            for event in catalog.openLineageEvents() {
                Terminal.current.line(String(decoding: try JSONSerialization.data(withJSONObject: event, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
            }
        default:
            Terminal.current.line("Spaces (\(catalog.spaces.count)):")
            Output.table(["name", "type", "id"], catalog.spaces.map { [$0.name, $0.type ?? "-", $0.id] })
            Terminal.current.line("\nApps (\(catalog.apps.count)):")
            for app in catalog.apps {
                Terminal.current.line("- \(app.name) [space \(app.space ?? "personal")], last reload \(app.lastReload ?? "never"), id \(app.id)".printable)
                for table in app.tables { Terminal.current.line("    table \(table.name): \(table.rows.map(String.init) ?? "?") rows, \(table.fields.map(String.init) ?? "?") fields".printable) }
                let keys = app.fields.filter(\.isKey).map(\.name)
                if !keys.isEmpty { Terminal.current.line("    keys: \(keys.joined(separator: ", "))".printable) }
                if !app.lineage.reads.isEmpty { Terminal.current.line("    reads: \(app.lineage.reads.joined(separator: ", "))".printable) }
                if !app.lineage.stores.isEmpty { Terminal.current.line("    stores: \(app.lineage.stores.joined(separator: ", "))".printable) }
                if !app.lineage.connections.isEmpty { Terminal.current.line("    connects to: \(app.lineage.connections.joined(separator: ", "))".printable) }
                if let lineage = app.qlikLineage, !lineage.datasets.isEmpty {
                    Terminal.current.line("    Qlik lineage graph: \(lineage.datasets.map(\.name).joined(separator: ", ")); \(lineage.fields.count) field(s) traced".printable)
                }
                for sheet in app.sheets ?? [] {
                    Terminal.current.line("    sheet \(sheet.title ?? sheet.id)\(sheet.published == true ? " (published)" : "")\(sheet.owner.map { ", owner \($0)" } ?? ""): \(sheet.charts.count) chart(s)".printable)
                    for chart in sheet.charts {
                        let items = (chart.dimensions.compactMap(\.masterItem) + chart.measures.compactMap(\.masterItem)).map { $0.title ?? $0.id }
                        Terminal.current.line("      \(chart.type) \(chart.title.map { "'\($0)'" } ?? chart.id): fields \(chart.fields.joined(separator: ", "))\(items.isEmpty ? "" : "; master items \(items.joined(separator: ", "))")".printable)
                    }
                }
                let dimensions = app.masterDimensions ?? [], measures = app.masterMeasures ?? []
                if !dimensions.isEmpty || !measures.isEmpty {
                    Terminal.current.line("    master items: \((dimensions.map { $0.title ?? $0.id } + measures.map { $0.title ?? $0.id }).joined(separator: ", "))".printable)
                }
                if let variables = app.variables, !variables.isEmpty { Terminal.current.line("    variables: \(variables.map(\.name).joined(separator: ", "))".printable) }
                if let bookmarks = app.bookmarks, !bookmarks.isEmpty { Terminal.current.line("    bookmarks: \(bookmarks.map { $0.title ?? $0.id }.joined(separator: ", "))".printable) }
                for problem in app.problems { Terminal.current.line("    problem: \(problem.object): \(problem.message)".printable) }
            }
            Terminal.current.line("\nData files (\(catalog.dataFiles.count)):")
            Output.table(["name", "size", "modified"], catalog.dataFiles.map { [$0.name, $0.size.map(String.init) ?? "-", $0.modified ?? "-"] })
        }
    }
}
