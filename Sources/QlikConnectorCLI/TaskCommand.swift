import ArgumentParser
import ConnectorAPI
import Foundation
import QlikConnections
import Repository

/// `qlik-connector task`: the tasks run on runtime environments.
struct TaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Follow the tasks that run on runtime environments: Test Connection, discover, read, write, reload and pings.",
        subcommands: [List.self, Show.self, Logs.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest tasks first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "How many.") var limit = 50
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            let environments = try await workspace.repository.runtimeEnvironments(of: organization.id)
            let views = try await workspace.repository.tasks(of: organization.id, limit: max(1, min(limit, 100_000)))
                .map { Components.Schemas.Task($0, environments: environments) }
            if json { return try Output.json(views) }
            Output.table(["ID", "KIND", "STATE", "CONNECTION", "RUNTIME ENVIRONMENT", "ATTEMPTS", "CREATED"], views.map {
                [$0.id, $0.kind.rawValue, $0.state.rawValue, $0.connection ?? "", $0.runtimeEnvironment, "\($0.attempts)/\($0.maxAttempts)", Output.timestamp($0.createdAt)]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One task: state, timings, error.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The task's id.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            guard let uuid = UUID(uuidString: id) else { throw CLIError.usage("'\(id)' is not a task id (a UUID, as 'task list' shows).") }
            let task = try await workspace.repository.task(TaskID(uuid), in: organization.id)
            let view = Components.Schemas.Task(task, environments: try await workspace.repository.runtimeEnvironments(of: organization.id))
            if json { return try Output.json(view) }
            Output.fields([("Task", view.id), ("Kind", view.kind.rawValue), ("State", view.state.rawValue), ("Connection", view.connection ?? "-"),
                           ("Runtime environment", view.runtimeEnvironment), ("Attempts", "\(view.attempts) of \(view.maxAttempts)"),
                           ("Requested by", view.requestedBy), ("Created", Output.timestamp(view.createdAt)),
                           ("Started", view.startedAt.map(Output.timestamp) ?? "-"), ("Finished", view.finishedAt.map(Output.timestamp) ?? "-"),
                           ("Error", view.error ?? "-")])
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What a task logged, in order.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The task's id.") var id: String

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            guard let uuid = UUID(uuidString: id) else { throw CLIError.usage("'\(id)' is not a task id (a UUID, as 'task list' shows).") }
            let task = try await workspace.repository.task(TaskID(uuid), in: organization.id)
            for line in try await workspace.repository.logs(of: task.id) {
                // The message carries the tenant's and users' text (a file name, a Qlik error): escaped, it cannot forge a line.
                Terminal.current.line("\(Output.timestamp(line.at)) \(line.level.uppercased()) \(line.message)".printable)
            }
        }
    }
}
