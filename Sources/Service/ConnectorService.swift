import ConnectorAPI
public import Foundation
public import Hummingbird
public import Logging
public import Connector
import QlikConnections
public import Repository
public import Secrets
public import Runtime
public import ServiceLifecycle
public import UseCases

/// The connection service: the HTTP API (described at `/openapi.json`),
/// health and metrics. One repository, one master key, one metrics registry.
public struct ConnectorService: Sendable {
    public let repository: any ConnectorRepository
    /// The master keys, read again when another process rotates them (see ``LiveKeyring``); nil: none loaded.
    let keys: LiveKeyring?
    public let metrics: ServiceMetrics
    let logger: Logger
    /// Runs Test Connection; tests give a shorter timeout.
    let tester: ConnectionTester
    /// Views of stored connections already read and checked, by version.
    let viewCache = ConnectionViewCache()
    let passwords: PasswordHasher
    /// The one-time link for the first administrator, issued by `serve` when there is none.
    public let setupLink = SetupLink()
    /// Runs the serverless environments' tasks inside this service.
    public let serverlessPool: ServerlessPool
    /// Agents recently authenticated, so their calls do not each query the repository.
    let agentTokens = AgentTokenCache()
    /// How long Test Connection waits for its task before answering 202 with the task to follow.
    let taskWait: Duration
    /// Word of each task finished in this process (serverless pool, agents' reports), for the requests waiting on one.
    let taskFinishes: TaskFinishSignal
    /// The reverse proxies whose X-Forwarded-For names the client a console sign-in counts against.
    let trustedProxies: TrustedProxies

    public init(repository: any ConnectorRepository, keyring: Keyring?, metrics: ServiceMetrics = ServiceMetrics(), logger: Logger,
                tester: ConnectionTester = ConnectionTester(), passwords: PasswordHasher = PasswordHasher(), taskWait: Duration = .seconds(90),
                files: TaskFiles = .none, managerCredentials: ManagerCredentialSource = .organizationsOnly, reloadingKeys: LiveKeyring.Reload? = nil,
                trustedProxies: TrustedProxies = .none) {
        // Whatever handler the caller gave, user input in a log line cannot start a line of its own.
        let logger = logger.escapingControlCharacters()
        // Without a way to read the keys again, the ones given are kept as they are. A reload that fails is logged here with
        // where the key was looked for; requests and tasks say only that the operator must act (SecretsError.userFacingDescription).
        let keys = keyring.map { keyring in
            reloadingKeys.map { reload in
                LiveKeyring(keyring) { held in
                    do { return try await reload(held) } catch {
                        logger.error("the master key could not be read again after another process rotated it", metadata: ["error": "\(error)"])
                        throw error
                    }
                }
            } ?? .fixed(keyring)
        }
        self.passwords = passwords
        self.taskWait = taskWait
        self.trustedProxies = trustedProxies
        let taskFinishes = TaskFinishSignal()
        self.taskFinishes = taskFinishes
        var poolLogger = logger
        poolLogger[metadataKey: "component"] = "serverless"
        serverlessPool = ServerlessPool(repository: repository, keyring: keys, executor: TaskExecutor(tester: tester, files: files, logger: poolLogger),
                                        managerCredentials: managerCredentials, finishes: taskFinishes, logger: poolLogger)
        self.repository = repository
        self.keys = keys
        self.metrics = metrics
        self.logger = logger
        self.tester = tester
    }

    public func router() -> Router<ServiceContext> {
        let router = Router(context: ServiceContext.self)
        router.add(middleware: MetricsRecording(metrics: metrics))
        router.add(middleware: ErrorMapping())
        addOperationsRoutes(to: router)
        do {
            try Console(service: self).addRoutes(to: router)
        } catch {
            // The templates are part of the program: a parse error is a bug found by the first test.
            logger.critical("the console's templates do not parse; the console is off", metadata: ["error": "\(error)"])
        }
        let api = router.group("api/v1").add(middleware: TokenAuthentication(tokens: repository))
        addConnectionRoutes(to: api)
        addConnectionTaskRoutes(to: api)
        addGeneratedRoutes(to: router)
        // Last, so that it wraps only the not-found responder (see MethodNotAllowed) and knows every route.
        router.add(middleware: MethodNotAllowed(routes: RouteTable(router.routes)))
        return router
    }

    /// What runs beside the HTTP server: the serverless pool, and on a repository that announces finished tasks (PostgreSQL),
    /// the relay that wakes requests here waiting on a task another replica finished.
    public var services: [any Service] {
        guard let feed = repository as? any TaskFinishFeed else { return [serverlessPool] }
        return [serverlessPool, TaskFinishRelay(feed: feed, signal: taskFinishes, logger: logger)]
    }

    /// The HTTP server on `host:port`, with the serverless pool; `onReady` learns the bound port.
    public func application(host: String, port: Int, onReady: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "qlik-connector"),
            services: services,
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    /// The actor name the audit trail records for a principal.
    func actor(_ principal: Principal) -> AuditActor { AuditActor("user:\(principal.user.email.value)") }
}

extension Request {
    /// An integer query parameter: absent gives nil; present but not an integer is refused, never silently defaulted.
    func integerQuery(_ name: String) throws(APIError) -> Int? {
        let values = uri.queryParameters.getAll(name)
        guard let text = values.first else { return nil }
        guard values.count == 1, let value = Int(String(text)) else {
            throw APIError.invalid(name, "\(name) is '\(values.joined(separator: ","))'; expected one whole number.")
        }
        return value
    }

    /// The body as `T`; a body that does not fit says which field broke and how.
    func decodeJSON<T: Decodable>(_ type: T.Type) async throws -> T {
        let buffer = try await body.collect(upTo: 1 << 20)
        do {
            return try ServiceJSON.decoder.decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw APIError.decoding(error)
        }
    }
}

public enum ServiceJSON {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    static let encoder = makeEncoder()

    /// The API's JSON encoder: sorted keys, plain slashes, ISO 8601 UTC dates.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISODate.string(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
