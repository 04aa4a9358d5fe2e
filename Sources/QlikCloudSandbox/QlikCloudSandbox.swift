import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import NIOSSL
import Logging
import NIOCore

/// What a client needs to reach a running sandbox tenant.
public struct SandboxCredentials: Sendable, Equatable {
    public let baseURL: String
    public let apiKey: String
    public let clientID: String
    public let clientSecret: String
    public let userID: String
}

/// A local Qlik Cloud tenant: identity, REST resources and Qlik's paging,
/// errors and rate limits, written from Qlik's public API documentation.
/// It shares no code with the connector's client, so a shared mistake
/// cannot make a test pass.
public struct QlikCloudSandbox: Sendable {
    public let configuration: SandboxConfiguration
    let tenant: Tenant
    let seed: Seed

    struct Seed: Sendable {
        let user: SandboxUser
        let apiKey: APIKey
        let client: OAuthClient
    }

    /// A tenant seeded with one administrator, an API key, an OAuth client,
    /// a shared, a managed and a data space, and two apps.
    public static func make(configuration: SandboxConfiguration = SandboxConfiguration()) async -> QlikCloudSandbox {
        await make(configuration: configuration, clock: { Date() })
    }

    /// Tests pass a clock they move by hand, so expiry does not depend on how busy the machine is.
    static func make(configuration: SandboxConfiguration, clock: @escaping @Sendable () -> Date) async -> QlikCloudSandbox {
        let tenant = Tenant(configuration: configuration, clock: clock)
        let user = await tenant.addUser(name: "Sandbox Admin", email: "admin@\(configuration.tenantName).example")
        let apiKey = await tenant.addAPIKey(for: user.id)
        let client = await tenant.addOAuthClient(for: user.id)
        let shared = await tenant.addSpace(name: "Sandbox Shared", type: "shared", description: "Apps in development", ownerID: user.id)
        _ = await tenant.addSpace(name: "Sandbox Managed", type: "managed", description: "Published apps", ownerID: user.id)
        _ = await tenant.addSpace(name: "Sandbox Data", type: "data", description: "Data files and connections", ownerID: user.id)
        _ = await tenant.addApp(name: "Sales Analysis", description: "Seeded app", spaceID: shared.id, ownerID: user.id)
        _ = await tenant.addApp(name: "Personal Scratchpad", spaceID: nil, ownerID: user.id)
        return QlikCloudSandbox(configuration: configuration, tenant: tenant, seed: Seed(user: user, apiKey: apiKey, client: client))
    }

    /// Adds an app whose data is a generated table of `rows` x `columns`, for benchmarks; returns its id.
    public func addGeneratedApp(name: String = "Generated", rows: Int, columns: Int = 10, seed: UInt64 = 1) async -> String {
        let app = await tenant.addApp(name: name, description: "\(rows) generated rows", spaceID: nil, ownerID: self.seed.user.id)
        await tenant.setDataModel(app.id, DataModel(tables: [LargeAppGenerator.table(rows: rows, columns: columns, seed: seed)]))
        return app.id
    }

    public func credentials(port: Int) -> SandboxCredentials {
        SandboxCredentials(baseURL: "\(configuration.scheme)://\(configuration.host):\(port)", apiKey: seed.apiKey.token, clientID: seed.client.clientID,
                           clientSecret: seed.client.clientSecret, userID: seed.user.id)
    }

    func router() -> Router<SandboxContext> {
        let router = Router(context: SandboxContext.self)
        let base = BaseURL(scheme: configuration.scheme)
        let faults = configuration.faults
        if faults.latency > .zero || faults.serverErrorShare > 0 || faults.rateLimitShare > 0 {
            router.add(middleware: FaultMiddleware(tenant: tenant, faults: faults))
        }
        OAuthRoutes(tenant: tenant).register(on: router)
        let api = router.group("api/v1").add(middleware: BearerAuthentication(tenant: tenant))
        RESTRoutes(tenant: tenant, base: base).register(on: api)
        return router
    }

    /// The HTTP application; `onReady` learns the credentials once the port is bound.
    func application(onReady: @escaping @Sendable (SandboxCredentials) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        var logger = Logger(label: "qlik-cloud-sandbox")
        logger.logLevel = .warning
        let sandbox = self
        var server = HTTPServerBuilder.http1WebSocketUpgrade(
            webSocketRouter: EngineRoutes(tenant: tenant, dropAfterMessages: configuration.faults.dropWebSocketAfterMessages).router())
        if let certificatePath = configuration.tlsCertificatePath {
            server = try .tls(server, tlsConfiguration: try Self.tls(certificate: certificatePath, key: configuration.tlsKeyPath))
        }
        return Application(
            router: router(),
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "qlik-cloud-sandbox"),
            services: [ReloadWorker(tenant: tenant)],
            onServerRunning: { channel in
                await onReady(sandbox.credentials(port: channel.localAddress?.port ?? sandbox.configuration.port))
            },
            logger: logger
        )
    }

    /// Serves until the task is cancelled.
    public func run(onReady: @escaping @Sendable (SandboxCredentials) async -> Void) async throws {
        try await application(onReady: onReady).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    public struct TLSSetupError: Error, CustomStringConvertible {
        public let description: String
    }

    static func tls(certificate: String, key: String?) throws -> TLSConfiguration {
        guard let key else { throw TLSSetupError(description: "HTTPS needs both a certificate (--tls-cert) and a private key (--tls-key).") }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        } catch {
            throw TLSSetupError(description: "Cannot load the TLS certificate \(certificate) or key \(key): \(error)")
        }
    }
}
