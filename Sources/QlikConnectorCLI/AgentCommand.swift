import ArgumentParser
import Connector
import Foundation
import Logging
import QlikCloudAPI
import QlikConnections
import Repository
import Runtime
import Secrets
import ConnectorAPI
import ServiceLifecycle
import UseCases

/// `qlik-connector agent`: run a Secure Agent, or create and list agents.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run a Secure Agent that takes its group's tasks from the service, or create and list agents.",
        subcommands: [Run.self, Create.self, List.self, Credentials.self],
        defaultSubcommand: Run.self
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a Secure Agent: it pulls its group's tasks from the service over HTTPS with its token (no inbound port, no database).")
        @Option(help: "The service's address, https://... (http:// only to this machine).") var service: String
        @Option(name: .customLong("token-file"), help: "File holding the agent's qca_ token (from 'agent create').") var tokenFile: String
        @Option(name: .customLong("runtime-env"), help: "The Secure Agent group the agent serves; checked against its token.") var runtimeEnvironment: String?
        @Option(help: "Tasks run at once.") var workers = 2
        @Option(help: "Seconds a task is leased before another agent may take it over (2 to 300).") var lease: Double = 20
        @Option(name: .customLong("secret-ttl"), help: "Seconds a secret read from the secrets manager stays in memory (a rotation shows after at most this).")
        var secretTimeToLive: Double = 300
        @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"
        @Option(name: .customLong("data-dir"), help: "The agent's folder: its credential store (default: $QLIK_CONNECTOR_AGENT_HOME or ~/.qlik-connector-agent).")
        var dataDirectory: String?
        @Option(name: .customLong("files-dir"), help: "The folder where read and write tasks keep their files; paths outside it are refused (default: 'files' in the agent's folder).")
        var filesDirectory: String?
        @Option(help: "PEM file of extra CA certificates to trust when calling tenants (a corporate proxy's root).") var caBundle: String?

        func validate() throws {
            guard (1...64).contains(workers) else { throw ValidationError("--workers takes 1 to 64.") }
            guard (2...300).contains(lease) else { throw ValidationError("--lease takes 2 to 300 seconds.") }
            guard (0...86_400).contains(secretTimeToLive) else { throw ValidationError("--secret-ttl takes 0 to 86400 seconds.") }
        }

        func run() async throws {
            guard let url = URL(string: service), SecureAgent.acceptable(url) else {
                throw CLIError.usage("--service '\(service)' is not usable: give https://HOST[:PORT] (plain http:// only to 127.0.0.1 or localhost); "
                    + "the agent's token and tasks' credentials travel on it.")
            }
            let token: String
            do {
                token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw CLIError.usage("Cannot read the token file \(tokenFile): \(error.localizedDescription)")
            }
            do {
                _ = try OpaqueToken(token, as: .agent)
            } catch {
                throw CLIError.usage("\(tokenFile) does not hold an agent token: \(error.description) Create one with 'qlik-connector agent create'.")
            }
            let files: TaskFiles
            do {
                // Not the current folder by default: an agent started as a service often runs from /.
                files = try TaskFiles.inside(filesDirectory ?? (AgentCommand.folder(dataDirectory) as NSString).appendingPathComponent("files"))
            } catch {
                throw CLIError.usage("--files-dir \(filesDirectory ?? "files in the agent's folder"): the folder cannot be created: \(error.localizedDescription)")
            }
            var logger = Terminal.current.logger(label: "qlik-connector-agent")
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            let agent = SecureAgent(configuration: .init(service: url, token: token, workers: workers, lease: lease, secretTimeToLive: secretTimeToLive,
                                                            store: AgentCredentialStore(folder: AgentCommand.folder(dataDirectory))),
                                    executor: TaskExecutor(settings: TransportSettings(caBundlePath: caBundle), files: files, logger: logger), version: QlikConnectorCommand.version, logger: logger)
            let workers = self.workers
            let expected = runtimeEnvironment
            let running = AgentProcess {
                try await agent.run(expectedGroup: expected) { name, group in
                    // Written straight away: a script waiting for the agent reads it while it runs.
                    Terminal.current.write("Agent '\(name)' of '\(group)' is taking tasks (\(workers) at a time). Stop with Ctrl-C.\n")
                }
            }
            let group = ServiceGroup(configuration: .init(services: [.init(service: running)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }

    /// The agent under swift-service-lifecycle: SIGTERM or Ctrl-C stop it cleanly (a task cut short runs again elsewhere).
    struct AgentProcess: Service {
        let body: @Sendable () async throws -> Void
        init(_ body: @escaping @Sendable () async throws -> Void) { self.body = body }
        func run() async throws { try await cancelWhenGracefulShutdown { try await body() } }
    }

    /// The agent's own folder, on the agent's machine.
    static func folder(_ option: String?) -> String {
        if let option { return option }
        if let home = Terminal.current.environment["QLIK_CONNECTOR_AGENT_HOME"], !home.isEmpty { return home }
        return (NSHomeDirectory() as NSString).appendingPathComponent(".qlik-connector-agent")
    }

    struct Credentials: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep a connection's credentials on this agent's machine (organizations whose credential storage is local-agent).",
            subcommands: [Set.self])

        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Seal a connection's credentials into this agent's store; the service never sees them.")
            @Argument(help: "The connection's name, as the service knows it.") var connection: String
            @Option(name: .customLong("access-token-from"), help: "API key: where to read the Access Token (env:NAME, file:PATH or -).") var accessToken: String?
            @Option(name: .customLong("client-id-from"), help: "OAuth 2.0: where to read the Client ID.") var clientID: String?
            @Option(name: .customLong("client-secret-from"), help: "OAuth 2.0: where to read the Client Secret.") var clientSecret: String?
            @Option(name: .customLong("data-dir"), help: "The agent's folder (default: $QLIK_CONNECTOR_AGENT_HOME or ~/.qlik-connector-agent).")
            var dataDirectory: String?

            func run() async throws {
                let name = try ConnectionName(connection)
                var values: [ConnectionField: Secret] = [:]
                switch (accessToken, clientID, clientSecret) {
                case (let token?, nil, nil):
                    values[.accessToken] = try SecretSource(token, option: "access-token-from").read(label: "Access Token")
                case (nil, let id?, let secret?):
                    values[.clientID] = try SecretSource(id, option: "client-id-from").read(label: "Client ID")
                    values[.clientSecret] = try SecretSource(secret, option: "client-secret-from").read(label: "Client Secret")
                default:
                    throw CLIError.usage("Give --access-token-from (API key), or --client-id-from and --client-secret-from (OAuth 2.0).")
                }
                let store = AgentCredentialStore(folder: AgentCommand.folder(dataDirectory))
                try store.set(connection: name, values)
                Terminal.current.line("Kept the credentials of connection '\(name)' on this agent (\(store.folder)).")
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an agent of a Secure Agent group, and its token (shown or written once).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The Secure Agent group.") var group: String
        @Argument(help: "The agent's name (letters, digits, - _ .).") var name: String
        @Option(name: .customLong("token-file"), help: "Write the token to this file (mode 0600) instead of printing it.") var tokenFile: String?

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            let environment = try await workspace.repository.runtimeEnvironments(of: organization.id).named(group, organization: organization.name.value)
            let (agent, token) = try await AgentEnrollment(agents: workspace.repository).create(named: name, in: environment, by: workspace.actor)
            if let tokenFile {
                guard FileManager.default.createFile(atPath: tokenFile, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw CLIError.failure("Cannot write \(tokenFile).")
                }
                Terminal.current.line("Created agent '\(agent.name)' of '\(environment.name)'; its token is in \(tokenFile).")
            } else {
                Terminal.current.line("Created agent '\(agent.name)' of '\(environment.name)'. Its token, shown once:")
                Terminal.current.line(token)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the organization's agents and when each was last heard from.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            let environments = try await workspace.repository.runtimeEnvironments(of: organization.id)
            let views = try await workspace.repository.agents(of: organization.id).map { Components.Schemas.Agent($0, environments: environments) }
            if json { return try Output.json(views) }
            Output.table(["NAME", "GROUP", "STATUS", "HOST", "VERSION", "LAST HEARTBEAT"], views.map {
                [$0.name, $0.runtimeEnvironment, $0.status.rawValue, $0.host ?? "", $0.version ?? "", $0.lastHeartbeatAt.map(Output.timestamp) ?? "never"]
            })
        }
    }
}
