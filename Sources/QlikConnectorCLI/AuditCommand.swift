import ArgumentParser
import Foundation
import QlikConnections
import Repository

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read the audit trail: who changed what, and when (never a credential value).",
        subcommands: [List.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the newest audit events of the organization.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "How many events, newest first.") var limit: Int = 50
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit takes a number from 1 to 10000.") }
        }

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            let events = try await workspace.repository.auditEvents(of: organization.id, limit: limit)
            if json { return try Output.json(events) }
            Output.table(["WHEN", "WHO", "ACTION", "TARGET", "CHANGES"], events.map { event in
                [Output.timestamp(event.at), event.actor, event.action, event.targetName,
                 event.changes.map { "\($0.field): \($0.old ?? "-") -> \($0.new ?? "-")" }.joined(separator: "; ")]
            })
        }
    }
}
