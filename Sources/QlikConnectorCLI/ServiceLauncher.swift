public import Logging
public import Repository
public import Runtime
public import Secrets
public import UseCases

/// Starts the connection service for `serve`. The command line knows no HTTP server: the `qlik-connector` executable
/// passes the one implementation (it builds the service), so this library needs neither Service nor Hummingbird.
public protocol ServiceLauncher: Sendable {
    /// Checks `--trusted-proxy` before anything is opened; the error names the value that is no CIDR and what is expected.
    func checkTrustedProxies(_ cidrs: [String]) throws(UseCaseError)
    /// Serves until SIGTERM or SIGINT.
    func serve(_ request: ServeRequest) async throws
}

/// What `serve` hands the launcher: the repository and keys it opened, and its options.
public struct ServeRequest: Sendable {
    public let host: String
    public let port: Int
    public let repository: any ConnectorRepository
    public let keyring: Keyring
    /// Reads the keys again after another process (rotate-key, another replica) rotated them.
    public let reloadingKeys: LiveKeyring.Reload
    public let logger: Logger
    public let files: TaskFiles
    public let managerCredentials: ManagerCredentialSource
    /// As given: the launcher parses them (already checked by ``ServiceLauncher/checkTrustedProxies(_:)``).
    public let trustedProxies: [String]
    /// No administrator yet: the service issues its one-time setup link.
    public let issuesSetupLink: Bool
    /// Called once the port is bound, with that port and the setup link's token if one was issued.
    public let announce: @Sendable (_ port: Int, _ setupToken: String?) -> Void
}

extension ServeCommand {
    /// The launcher `QlikConnectorCLI.run(arguments:launcher:)` was given; nil in a build without the service.
    @TaskLocal static var launcher: (any ServiceLauncher)?
}
