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
        let userID: String
        let apiKeyToken: String
        let clientID: String
        let clientSecret: String
    }

    /// A tenant in memory seeded with the default content (``DefaultTenant``): an administrator
    /// with an API key and an OAuth client, three more users, a shared, a managed and a data
    /// space, sample data files, and three apps reloaded from them.
    public static func make(configuration: SandboxConfiguration = SandboxConfiguration()) async -> QlikCloudSandbox {
        await make(configuration: configuration, clock: { Date() })
    }

    /// Tests pass a clock they move by hand, so expiry does not depend on how busy the machine is.
    static func make(configuration: SandboxConfiguration, clock: @escaping @Sendable () -> Date) async -> QlikCloudSandbox {
        let tenant = Tenant(configuration: configuration, clock: clock)
        let administrator = await DefaultTenant.seed(tenant)
        await tenant.setAdministrator(administrator)
        return await QlikCloudSandbox(configuration: configuration, tenant: tenant, administrator: administrator)
    }

    /// A tenant kept under `dataDirectory` when one is given (a directory that
    /// already holds a tenant brings it back as it was), seeded from `fixture`
    /// or with the default content when new.
    public static func open(configuration: SandboxConfiguration = SandboxConfiguration(), dataDirectory: String? = nil,
                            fixture: SandboxFixture? = nil) async throws(SandboxSetupError) -> QlikCloudSandbox {
        let store = try dataDirectory.map { path throws(SandboxSetupError) in try TenantStore(directory: path) }
        if let store, let saved = try store.load() {
            guard fixture == nil else {
                throw SandboxSetupError("\(store.directory.path) already holds a tenant, and a fixture seeds only a new one: drop the fixture, or start from an empty directory.")
            }
            let tenant = Tenant(configuration: configuration, store: store, restoring: saved)
            guard let administrator = saved.snapshot.administrator else {
                throw SandboxSetupError("\(store.directory.path) holds a tenant without an administrator; start from an empty directory.")
            }
            return try await QlikCloudSandbox(configuration: configuration, tenant: tenant, checking: administrator, in: store.directory.path)
        }
        let tenant = Tenant(configuration: configuration, store: store)
        let administrator: TenantSnapshot.Administrator
        if let fixture { administrator = try await fixture.seed(tenant) } else { administrator = await DefaultTenant.seed(tenant) }
        await tenant.setAdministrator(administrator)
        return await QlikCloudSandbox(configuration: configuration, tenant: tenant, administrator: administrator)
    }

    private init(configuration: SandboxConfiguration, tenant: Tenant, administrator: TenantSnapshot.Administrator) async {
        self.configuration = configuration
        self.tenant = tenant
        // Just created by the seeding, so the client is there.
        let secret = await tenant.administratorCredentials(administrator)?.client.clientSecret ?? ""
        seed = Seed(userID: administrator.userID, apiKeyToken: administrator.apiKeyToken, clientID: administrator.clientID, clientSecret: secret)
    }

    private init(configuration: SandboxConfiguration, tenant: Tenant, checking administrator: TenantSnapshot.Administrator, in path: String)
        async throws(SandboxSetupError) {
        guard let found = await tenant.administratorCredentials(administrator) else {
            throw SandboxSetupError("The tenant in \(path) names an administrator, key or client it does not hold; start from an empty directory.")
        }
        self.configuration = configuration
        self.tenant = tenant
        seed = Seed(userID: found.user.id, apiKeyToken: administrator.apiKeyToken, clientID: administrator.clientID, clientSecret: found.client.clientSecret)
    }

    /// The id of the tenant's app with this name, if there is one.
    public func appID(named name: String) async -> String? {
        await tenant.apps.first { $0.name == name }?.id
    }

    /// Adds an app to the administrator's personal space whose data is a generated table of `rows` x `columns`
    /// ("Facts"), for benchmarks; its script reloads the same table from a QVD data file. Returns its id.
    public func addGeneratedApp(name: String = "Generated", rows: Int, columns: Int = 10, seed: UInt64 = 1) async -> String {
        await tenant.addGeneratedApp(name: name, rows: rows, columns: columns, seed: seed, spaceID: nil, ownerID: self.seed.userID).id
    }

    /// Adds `count` apps for catalog benchmarks ("Catalog app 0001" ...: 5 sheets of 6 charts, 20 master items,
    /// a 20-table data model each; see ``Tenant/addCatalogApps``), unless the tenant has them already. Returns how many it has.
    public func addCatalogApps(count: Int) async -> Int {
        let existing = await tenant.apps.filter { $0.name.hasPrefix("Catalog app ") }.count
        guard existing == 0 else { return existing }
        return await tenant.addCatalogApps(count: count, ownerID: seed.userID).count
    }

    public func credentials(port: Int) -> SandboxCredentials {
        SandboxCredentials(baseURL: "\(configuration.scheme)://\(configuration.host):\(port)", apiKey: seed.apiKeyToken, clientID: seed.clientID,
                           clientSecret: seed.clientSecret, userID: seed.userID)
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
        // Hummingbird reports a cancelled child channel at shutdown as an error; the sandbox's own failures are logged by the tenant.
        logger.logLevel = .critical
        let sandbox = self
        var server = HTTPServerBuilder.http1WebSocketUpgrade(
            webSocketRouter: EngineRoutes(tenant: tenant, dropAfterMessages: configuration.faults.dropWebSocketAfterMessages,
                                         messageLatency: configuration.faults.engineMessageLatency).router())
        if let certificatePath = configuration.tlsCertificatePath {
            server = try .tls(server, tlsConfiguration: try Self.tls(certificate: certificatePath, key: configuration.tlsKeyPath))
        }
        let (boundPorts, bound) = AsyncStream.makeStream(of: Int.self)
        let warmUp = ServerWarmUp(host: configuration.host, tls: configuration.tlsCertificatePath != nil, boundPorts: boundPorts) { port in
            await onReady(sandbox.credentials(port: port))
        }
        return Application(
            router: router(),
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "qlik-cloud-sandbox"),
            services: [ReloadWorker(tenant: tenant), warmUp],
            onServerRunning: { channel in
                // Returns at once: the server accepts nothing until it does, and the warm-up needs it to.
                // The stream stays open: the warm-up service runs until the sandbox stops, as a service must.
                bound.yield(channel.localAddress?.port ?? sandbox.configuration.port)
            },
            logger: logger
        )
    }

    /// Serves on the configured port (0: a free one) for the length of `body`,
    /// then stops: for tests and tools that need a tenant for a while.
    public func withRunning<T: Sendable>(_ body: @escaping @Sendable (SandboxCredentials) async throws -> T) async throws -> T {
        let (ready, continuation) = AsyncStream.makeStream(of: SandboxCredentials.self)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await self.run { continuation.yield($0) }
                continuation.finish()
                return nil
            }
            var iterator = ready.makeAsyncIterator()
            guard let credentials = await iterator.next() else {
                // The server ended before it was ready: its error says why.
                while let _ = try await group.next() {}
                throw SandboxSetupError("The sandbox stopped before it was ready.")
            }
            do {
                let result = try await body(credentials)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Serves until the task is cancelled.
    public func run(onReady: @escaping @Sendable (SandboxCredentials) async -> Void) async throws {
        try await application(onReady: onReady).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    static func tls(certificate: String, key: String?) throws -> TLSConfiguration {
        guard let key else { throw SandboxSetupError("HTTPS needs both a certificate (--tls-cert) and a private key (--tls-key).") }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        } catch {
            throw SandboxSetupError("Cannot load the TLS certificate \(certificate) or key \(key): \(error)")
        }
    }
}
