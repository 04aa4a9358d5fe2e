import ArgumentParser
import Foundation
import Logging
import Repository
import Runtime
import Secrets
import UseCases

/// `qlik-connector serve`: the connection service on loopback.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the connection service: the web console (/console), the HTTP API (/api/v1, described at /openapi.json), /health and /metrics.",
        discussion: """
            Scripts authenticate with a personal API token ('Authorization: Bearer qcs_...'). Create the first
            administrator and their token with:
              qlik-connector user create you@example.com --admin --token first
            """
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Address to listen on (default: loopback only).") var host = "127.0.0.1"
    @Option(help: "Port (0: any free port, printed when bound).") var port = 8080
    @Option(name: .customLong("files-dir"), help: "The folder where read and write tasks on the serverless environment keep their files, a folder per organization (organization id) below it (none: no file tasks).")
    var filesDirectory: String?
    @Flag(name: .customLong("secrets-manager-credentials-from-environment"),
          help: "Let the serverless environment read secrets with this service's own AWS or Vault identity (its environment) when an organization keeps no secrets manager credentials. Only for a service whose organizations trust each other: each could read whatever that identity can.")
    var managerCredentialsFromEnvironment = false
    @Option(name: .customLong("trusted-proxy"), help: ArgumentHelp(
        "A reverse proxy in front of this service, as a CIDR (10.0.0.0/8, 127.0.0.1/32, ::1/128; repeat for more). From such a peer, the "
            + "console counts sign-in failures per client by the right-most X-Forwarded-For address that is not itself a trusted proxy; "
            + "from any other peer the header is ignored.", valueName: "CIDR"))
    var trustedProxy: [String] = []

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port takes 0 to 65535.") }
        // Without a launcher, run() says so; with one, a bad CIDR is a usage error before anything is opened.
        do { try Self.launcher?.checkTrustedProxies(trustedProxy) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        guard let launcher = Self.launcher else {
            throw CLIError.failure("this build of the command has no connection service; run 'serve' with the qlik-connector executable")
        }
        let workspace = try await Workspace.open(global)
        // The key is loaded (or generated) before the first request needs it.
        let keyring = try await workspace.keyring()
        var logger = workspace.logger
        logger[metadataKey: "component"] = "service"
        let files: TaskFiles
        do {
            files = try filesDirectory.map { try TaskFiles.perOrganization(inside: $0) } ?? .none
        } catch {
            throw CLIError.usage("--files-dir \(filesDirectory ?? ""): the folder cannot be created: \(error.localizedDescription)")
        }
        let repository = workspace.repository
        // Another process (rotate-key, another replica) may rotate the key while this one serves: it reads the new one where it read its own.
        let reloadingKeys = MasterKeyLocation(global).reload(agreeingWith: repository, logger: logger)
        var count = 0
        for organization in try await workspace.repository.organizations() {
            count += try await workspace.repository.administratorCount(of: organization.id)
        }
        let administrators = count
        let database = workspace.databaseDescription
        let host = self.host
        // The setup link is printed once, to the person who started the service; only its hash is kept, in memory.
        let announce: @Sendable (Int, String?) -> Void = { bound, setup in
            var lines = "Serving on http://\(host):\(bound) (console at /console, API at /api/v1, description at /openapi.json). Stop with Ctrl-C.\n"
                + "Repository: \(database)\n"
            if let setup {
                lines += "No administrator yet: open http://\(host):\(bound)/console/setup?token=\(setup) (works once, for an hour), "
                    + "or run 'qlik-connector user create you@example.com --admin --token first'.\n"
            }
            // Written straight away: a script waiting for the port reads it while the service runs.
            Terminal.current.write(lines)
        }
        let request = ServeRequest(host: host, port: port, repository: repository, keyring: keyring, reloadingKeys: reloadingKeys, logger: logger,
                                   files: files, managerCredentials: managerCredentialsFromEnvironment ? .environment : .organizationsOnly,
                                   trustedProxies: trustedProxy, issuesSetupLink: administrators == 0, announce: announce)
        do {
            try await ListeningPort.serve(on: port) { try await launcher.serve(request) }
        } catch {
            await workspace.repository.close()
            throw error
        }
        await workspace.repository.close()
    }
}
