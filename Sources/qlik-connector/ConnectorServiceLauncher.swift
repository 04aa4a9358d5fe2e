import Hummingbird
import QlikConnectorCLI
import Service
import ServiceLifecycle
import UseCases

/// `serve`'s connection service (Service, on Hummingbird), built here so that the command library imports neither.
struct ConnectorServiceLauncher: ServiceLauncher {
    func checkTrustedProxies(_ cidrs: [String]) throws(UseCaseError) {
        _ = try Self.trustedProxies(cidrs)
    }

    func serve(_ request: ServeRequest) async throws {
        let service = ConnectorService(repository: request.repository, keyring: request.keyring, logger: request.logger, files: request.files,
                                       managerCredentials: request.managerCredentials, reloadingKeys: request.reloadingKeys,
                                       trustedProxies: try Self.trustedProxies(request.trustedProxies))
        let setup = request.issuesSetupLink ? service.setupLink.issue() : nil
        let app = service.application(host: request.host, port: request.port) { bound in request.announce(bound, setup) }
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// A value that is no CIDR is the caller's to fix: invalid, so the command exits 2.
    private static func trustedProxies(_ cidrs: [String]) throws(UseCaseError) -> TrustedProxies {
        do { return try TrustedProxies(parsing: cidrs) } catch { throw .invalid("trusted-proxy", error.description) }
    }
}
