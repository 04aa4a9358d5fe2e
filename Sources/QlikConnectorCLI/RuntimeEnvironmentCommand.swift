import ArgumentParser
import Foundation
import QlikConnections
import Repository
import ConnectorAPI

struct RuntimeEnvironmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime-env",
        abstract: "Manage the organization's runtime environments (Secure Agent groups; serverless is built in).",
        subcommands: [Create.self, List.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a Secure Agent group.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Runtime environment name.") var name: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            let environment = RuntimeEnvironment(organizationID: organization.id, name: try RuntimeEnvironmentName(name), kind: .secureAgentGroup)
            try await workspace.repository.createRuntimeEnvironment(environment, by: workspace.actor)
            if json { try Output.json(Components.Schemas.RuntimeEnvironment(environment)) } else {
                Terminal.current.line("Created Secure Agent group '\(environment.name)' in organization '\(organization.name)'.")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List runtime environments.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            let environments = try await workspace.repository.runtimeEnvironments(of: organization.id)
            if json { return try Output.json(environments.map(Components.Schemas.RuntimeEnvironment.init)) }
            Output.table(["NAME", "KIND", "CREATED"], environments.map { [$0.name.value, $0.kind.displayName, Output.timestamp($0.createdAt)] })
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a Secure Agent group that no connection uses.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Runtime environment name.") var name: String
        @Flag(help: "Print the deleted environment as JSON.") var json = false

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            let deleted = try await workspace.repository.deleteRuntimeEnvironment(named: name, in: organization.id, by: workspace.actor)
            if json { return try Output.json(Components.Schemas.RuntimeEnvironment(deleted)) }
            Terminal.current.line("Deleted runtime environment '\(deleted.name)'.")
        }
    }
}
