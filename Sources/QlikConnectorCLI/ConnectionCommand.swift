import ArgumentParser
import Foundation
import Secrets
import QlikConnections
import Repository
import ConnectorAPI
import UseCases

struct ConnectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connection",
        abstract: "Define, list, show, change and delete Qlik Cloud connections.",
        subcommands: [Create.self, List.self, Show.self, Test.self, Update.self, Delete.self, RotateKey.self, CheckUse.self]
    )

    /// The connection's own fields, shared by create and update.
    struct DefinitionOptions: ParsableArguments {
        @Option(help: "Description (at most 4000 characters).") var description: String?
        @Option(name: .customLong("runtime-env"), help: "Runtime Environment: a Secure Agent group or Serverless.") var runtimeEnvironment: String?
        @Option(name: .customLong("auth"), help: "Authentication type: api-key or oauth2.") var authenticationType: String?
        @Option(name: .customLong("base-url"), help: "Base URL: https://<your-tenant-id>.<region>.qlikcloud.com") var baseURL: String?
        @OptionGroup var credentials: CredentialOptions

        func draft(name: String?, useSecretVault: Bool?) throws -> ConnectionDraft<CredentialValue> {
            var draft = ConnectionDraft<CredentialValue>(
                name: name, description: description, runtimeEnvironment: runtimeEnvironment, useSecretVault: useSecretVault,
                authenticationType: authenticationType, baseURL: baseURL
            )
            try credentials.apply(to: &draft) { .new($0) }
            return draft
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a connection.",
            discussion: """
                Secrets are never taken as plain arguments. Example:
                  qlik-connector connection create "Sales EU" --runtime-env Serverless --auth api-key \\
                      --base-url https://acme.eu.qlikcloud.com --access-token-from env:QLIK_API_KEY
                """
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Connection Name.") var name: String
        @OptionGroup var definition: DefinitionOptions
        @Flag(help: "Take the chosen credentials from the organization's secrets manager (give them with --*-ref).") var useSecretVault = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            let draft = try definition.draft(name: name, useSecretVault: useSecretVault)
            // Checked first only to load the master key when a value needs it (and not to generate a key file for a refused
            // definition); checked again against the organization as the transaction that stores it reads it.
            let needsKeys = try await workspace.connectionManagement().needsKeys(creating: draft, in: organization.id)
            let (connection, environments) = try await workspace.connectionManagement(loadingKeys: needsKeys)
                .create(draft, in: organization.id, by: workspace.actor)
            workspace.logger.info("created connection", metadata: ["connection": "\(connection.name)", "id": "\(connection.id)"])
            try ConnectionCommand.show(connection, environments: environments, json: json, headline: "Created connection '\(connection.name)'.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the organization's connections.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only names containing this text (any case).") var nameContains: String?
        @Option(name: .customLong("auth"), help: "Only this authentication type: api-key or oauth2.") var authenticationType: String?
        @Option(name: .customLong("runtime-env"), help: "Only connections on this runtime environment.") var runtimeEnvironment: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            var filter = ConnectionFilter(nameContains: nameContains)
            if let authenticationType {
                guard let type = AuthenticationType(rawValue: authenticationType.lowercased()) else {
                    throw CLIError.usage("--auth '\(authenticationType)' is unknown; expected api-key or oauth2.")
                }
                filter.authenticationType = type
            }
            if let runtimeEnvironment {
                filter.runtimeEnvironmentID = try await workspace.repository.runtimeEnvironments(of: organization.id)
                    .named(runtimeEnvironment, organization: organization.name.value).id
            }
            let (connections, environments) = try await workspace.connectionManagement().list(in: organization.id, matching: filter)
            let views = connections.map { Components.Schemas.Connection($0, environments: environments) }
            if json { return try Output.json(views) }
            if views.isEmpty { return Terminal.current.line("No connections in organization '\(organization.name)'.") }
            Output.table(["NAME", "AUTH", "RUNTIME ENVIRONMENT", "BASE URL", "SECRET VAULT", "UPDATED"], views.map {
                [$0.name, $0.authentication._type.rawValue, $0.runtimeEnvironment, $0.authentication.baseURL,
                 $0.useSecretVault ? "yes" : "no", Output.timestamp($0.updatedAt)]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one connection; credentials print as ********.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Connection Name (any case).") var name: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            let shown = try await workspace.connectionManagement().connection(named: name, in: organization.id)
            try ConnectionCommand.show(shown.connection, environments: shown.environments, json: json, lastTest: shown.lastTest)
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a connection. Options left out keep their values; so do secrets not given again."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The connection's current name.") var name: String
        @Option(name: .customLong("name"), help: "A new Connection Name.") var newName: String?
        @OptionGroup var definition: DefinitionOptions
        @Flag(inversion: .prefixedNo, help: "Turn Use Secret Vault on or off.") var useSecretVault: Bool?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            let draft = try definition.draft(name: newName, useSecretVault: useSecretVault)
            let needsKeys = try await workspace.connectionManagement().needsKeys(updating: name, with: draft, in: organization.id)
            let (connection, environments) = try await workspace.connectionManagement(loadingKeys: needsKeys)
                .update(named: name, with: draft, in: organization.id, by: workspace.actor)
            // The last test is history of this connection: an update does not undo it, so it shows as in 'show'.
            let lastTest = try await workspace.repository.lastTest(of: connection.id)
            try ConnectionCommand.show(connection, environments: environments, json: json,
                                       headline: "Updated connection '\(connection.name)'.", lastTest: lastTest)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a connection and its stored credentials.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Connection Name.") var name: String
        @Flag(help: "Do not ask for confirmation (required when standard input is not a terminal).") var yes = false
        @Flag(help: "Print the deleted connection as JSON.") var json = false

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            let connection = try await workspace.repository.connection(named: name, in: organization.id)
            if !yes {
                guard isatty(STDIN_FILENO) == 1 else {
                    throw CLIError.usage("Deleting '\(connection.name)' needs confirmation: run it in a terminal, or add --yes.")
                }
                Terminal.current.errorText("Delete connection '\(connection.name)' and its credentials? [y/N] ")
                guard let answer = Terminal.current.readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                    throw CLIError.failure("Not deleted.")
                }
            }
            let (deleted, environments) = try await workspace.connectionManagement().delete(named: name, in: organization.id, by: workspace.actor)
            if json { return try Output.json(Components.Schemas.Connection(deleted, environments: environments)) }
            Terminal.current.line("Deleted connection '\(deleted.name)'.")
        }
    }

    struct CheckUse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-use",
            abstract: "Tell whether a service may use a connection (secret-vault connections are refused by some)."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Connection Name.") var name: String
        @Option(help: "One of: \(ConnectionUse.allCases.map(\.rawValue).joined(separator: ", ")).") var use: String

        func run() async throws {
            guard let use = ConnectionUse(rawValue: use) else {
                throw CLIError.usage("--use '\(self.use)' is unknown; expected one of \(ConnectionUse.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            let connection = try await workspace.repository.connection(named: name, in: organization.id)
            try connection.checkUse(use)
            Terminal.current.line("\(use.displayName) may use connection '\(connection.name)'.")
        }
    }

    static func show(_ connection: StoredConnection, environments: [RuntimeEnvironment], json: Bool, headline: String? = nil,
                     lastTest: ConnectionTestRecord? = nil) throws {
        let view = Components.Schemas.Connection(connection, environments: environments, lastTest: lastTest)
        if json { return try Output.json(view) }
        if let headline { Terminal.current.line(headline) }
        var pairs: [(String, String)] = [
            ("Connection Name", view.name),
            ("Description", view.description ?? "-"),
            ("Use Secret Vault", view.useSecretVault ? "yes" : "no"),
            ("Runtime Environment", view.runtimeEnvironment + (view.runtimeEnvironmentKind.map { " (\($0.rawValue))" } ?? "")),
            ("Authentication type", connection.authentication.type.displayName),
            ("Base URL", view.authentication.baseURL),
        ]
        let credentials: [(String, Components.Schemas.Credential?)] = [
            ("Access Token", view.authentication.accessToken), ("Client ID", view.authentication.clientID),
            ("Client Secret", view.authentication.clientSecret),
        ]
        pairs += credentials.compactMap { label, credential in credential.map { (label, $0.text) } }
        pairs += [
            ("Usable by", connection.permittedUses.map(\.displayName).joined(separator: ", ")),
            ("Created", Output.timestamp(connection.createdAt)),
            ("Updated", Output.timestamp(connection.updatedAt)),
            ("Last test", lastTest.map { "\($0.succeeded ? "passed" : "FAILED") \(Output.timestamp($0.testedAt)): \($0.summary)" } ?? "never"),
            ("ID", view.id),
        ]
        Output.fields(pairs)
    }
}

extension Workspace {
    /// The connection use cases on this workspace, with no master key: reading, deleting, and changes that seal nothing
    /// (which need no key file, and generate none).
    func connectionManagement() -> ConnectionManagement {
        ConnectionManagement(repository: repository, keys: SealingKeys(nil))
    }

    /// The same, with the master key loaded when `loadingKeys`; it is read again, never generated or moved, when another
    /// process rotated it meanwhile.
    func connectionManagement(loadingKeys: Bool) async throws -> ConnectionManagement {
        guard loadingKeys else { return connectionManagement() }
        let location = MasterKeyLocation(options)
        let repository = self.repository
        let live = LiveKeyring(try await keyring()) { held in try await location.reloaded(keeping: held, agreeingWith: repository) }
        return ConnectionManagement(repository: repository, keys: SealingKeys(live))
    }
}
