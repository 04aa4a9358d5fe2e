import ArgumentParser
import Connector
import Foundation
import QlikCloudAPI
import QlikConnections
import Repository

/// The Airbyte protocol: `spec`, `check`, `discover`, `read` (source) and
/// `write` (destination), Airbyte JSON messages on standard output.
struct AirbyteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "airbyte",
        abstract: "Run as an Airbyte source (app tables) or destination (data files).",
        discussion: """
            Messages go to standard output, one JSON object per line (SPEC, CONNECTION_STATUS, CATALOG, RECORD, STATE, LOG, TRACE).
              qlik-connector airbyte spec [--destination]
              qlik-connector airbyte check --config config.json
              qlik-connector airbyte discover --config config.json
              qlik-connector airbyte read --config config.json --catalog configured_catalog.json [--state state.json]
              qlik-connector airbyte write --config config.json --catalog configured_catalog.json < messages.jsonl
            """,
        subcommands: [Spec.self, Check.self, Discover.self, Read.self, Write.self]
    )

    static func emit(_ line: String) {
        Terminal.current.line(line)
    }

    /// Runs `body` with a client for the config; failures become a TRACE error message and exit code 1.
    static func withClient(_ global: GlobalOptions, config path: String, _ body: (QlikCloudClient, AirbyteConfig) async throws -> Void) async throws {
        do {
            let config = try AirbyteConfig.load(path: path)
            let client: QlikCloudClient
            switch config.credentials {
            case .storedConnection(let name):
                // Airbyte runs this command where its records flow (standard output), so it reads the connection in process, not as a task.
                let workspace = try await Workspace.open(global)
                let organization: Organization
                if let name = config.organization {
                    organization = try await workspace.repository.organization(named: name)
                } else {
                    organization = try await workspace.organization()
                }
                let stored = try await workspace.repository.connection(named: name, in: organization.id)
                // Right before the first request, against the list as it is now; the client connects to the address checked.
                let checked = try await TenantHostCheck.beforeRequests(to: stored.authentication.baseURL, hosts: try await workspace.repository.tenantHostPolicy(),
                                                                       settings: TransportSettings())
                let authentication = try await stored.resolvedAuthentication(keyring: { try await workspace.keyring() })
                client = try QlikCloudClient.make(tenant: stored.authentication.baseURL, authentication: authentication, settings: checked.settings)
            case .inline(let inline):
                // The repository is opened only for the allow-list (a host outside Qlik Cloud) or the organization the config names.
                if let name = config.organization { _ = try await Workspace.open(global).repository.organization(named: name) }
                let hosts = inline.isQlikCloudTenant ? TenantHostPolicy.qlikCloudOnly : try await Workspace.open(global).repository.tenantHostPolicy()
                let tenant = try inline.tenant(admittedBy: hosts)
                let checked = try await TenantHostCheck.beforeRequests(to: tenant, hosts: hosts, settings: TransportSettings())
                client = try QlikCloudClient.make(tenant: tenant, authentication: inline.authentication, settings: checked.settings)
            }
            try await client.run { client in try await body(client, config) }
        } catch {
            let configError = (error as? ConnectorError)?.isUsageError == true || error is TableReader.Failure || error is HostRefusal || (error as? RepositoryError)?.isUsageError == true
            emit(AirbyteMessage.error("\(error)", configError: configError))
            throw ExitCode(1)
        }
    }

    struct Spec: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the connector's specification.")
        @Flag(help: "The destination's specification (default: the source's).") var destination = false

        func run() async throws {
            AirbyteCommand.emit(AirbyteMessage.line(["type": "SPEC", "spec": AirbyteConfig.specification(destination: destination)]))
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check the config's credentials with an authenticated call.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Airbyte config file.") var config: String

        func run() async throws {
            try await AirbyteCommand.withClient(global, config: config) { client, _ in
                _ = await AirbyteSource(client: client, emit: AirbyteCommand.emit).check()
            }
        }
    }

    struct Discover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the catalog: one stream per table of each app.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Airbyte config file.") var config: String

        func run() async throws {
            try await AirbyteCommand.withClient(global, config: config) { client, config in
                try await AirbyteSource(client: client, emit: AirbyteCommand.emit).discover(apps: config.apps)
            }
        }
    }

    struct Read: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Read the configured streams as RECORD messages (full refresh).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Airbyte config file.") var config: String
        @Option(help: "Configured catalog file.") var catalog: String
        @Option(help: "State file (accepted; every sync is a full refresh).") var state: String?

        func run() async throws {
            try await AirbyteCommand.withClient(global, config: config) { client, config in
                if let state { AirbyteCommand.emit(AirbyteMessage.log("State \(state) noted: streams are read in full (full refresh).")) }
                try await AirbyteSource(client: client, emit: AirbyteCommand.emit).read(catalog: try ConfiguredCatalog.load(path: catalog), selections: config.selections)
            }
        }
    }

    struct Write: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write RECORD messages from standard input into data files (overwrite).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Airbyte config file.") var config: String
        @Option(help: "Configured catalog file.") var catalog: String

        func run() async throws {
            try await AirbyteCommand.withClient(global, config: config) { client, config in
                try await AirbyteDestination(client: client, emit: AirbyteCommand.emit)
                    .write(catalog: try ConfiguredCatalog.load(path: catalog), format: config.dataFileFormat, reloadApps: config.reloadApps,
                           input: FileHandle.standardInput)
            }
        }
    }
}
