import Foundation
import HummingbirdTesting
import Hummingbird
import Logging
import QlikConnections
import Repository
import Runtime
import Secrets
@testable import Service
import TestRepositories
import UseCases

/// A service on a fresh repository (SQLite unless a test asks for PostgreSQL): organization "Acme" with an
/// admin, a designer and a viewer, and organization "Other" with its own
/// admin, each with a personal API token. Log lines are kept for checks.
struct ServiceHarness {
    let store: TestRepository
    var repository: any ConnectorRepository { store.repository }
    let service: ConnectorService
    let logs: LogCapture
    let acme: Organization
    let other: Organization
    /// Role name ("admin", "designer", "viewer", "otherAdmin") to user and token secret.
    let people: [String: (user: User, token: String)]

    static func make(_ backend: RepositoryBackend = .sqlite, taskWait: Duration = .seconds(90), files: TaskFiles = .none,
                     managerCredentials: ManagerCredentialSource = .organizationsOnly) async throws -> ServiceHarness {
        let store = try await TestRepository.make(backend)
        let repository = store.repository
        let key = MasterKey.generate()
        _ = try await repository.activeMasterKeyID(registeringIfNone: key.id)
        let setup = AuditActor("test")
        let acme = Organization(name: try OrganizationName("Acme"))
        let other = Organization(name: try OrganizationName("Other"))
        // The operator admits the loopback sandbox and test doubles, as `qlik-connector hosts allow '127.0.0.1:*'` does.
        _ = try await repository.allowTenantHost(try HostPattern("127.0.0.1:*"), by: setup)
        try await repository.createOrganization(acme, by: setup)
        try await repository.createOrganization(other, by: setup)
        var people: [String: (User, String)] = [:]
        for (label, organization, role) in [("admin", acme, UserRole.admin), ("designer", acme, .designer), ("viewer", acme, .viewer),
                                            ("otherAdmin", other, .admin)] {
            let user = User(organizationID: organization.id, email: try EmailAddress("\(label)@\(organization.name.value.lowercased()).example"),
                            displayName: label, role: role)
            try await repository.createUser(user, passwordHash: nil, by: setup)
            people[label] = (user, try await Self.token(for: user, in: repository))
        }
        let logs = LogCapture()
        var logger = Logger(label: "service-tests") { _ in logs }
        logger.logLevel = .trace
        let service = ConnectorService(repository: repository, keyring: Keyring(active: key), logger: logger, passwords: PasswordHasher(cost: 4),
                                       taskWait: taskWait, files: files, managerCredentials: managerCredentials)
        return ServiceHarness(store: store, service: service, logs: logs, acme: acme, other: other, people: people)
    }

    static func token(for user: User, in repository: any ConnectorRepository, name: String = "tests") async throws -> String {
        let secret = OpaqueToken.generate(.personal)
        try await repository.createAccessToken(AccessToken(userID: user.id, name: name, prefix: secret.prefix),
                                               secretHash: secret.hash,
                                               credentialsEpoch: user.credentialsEpoch, by: AuditActor("test"))
        return secret.text
    }

    func token(_ who: String) -> String { people[who]?.token ?? "qcs_missing" }

    /// Runs `body` against the service's router (no socket).
    @discardableResult
    func withClient<T: Sendable>(_ body: @escaping @Sendable (APIClient) async throws -> T) async throws -> T {
        let app = Application(router: service.router(), services: service.services, logger: service.logger)
        return try await app.test(.router) { client in try await body(APIClient(client: client)) }
    }
}

/// Requests as JSON, answers as JSON.
struct APIClient: Sendable {
    let client: any TestClientProtocol

    struct Answer: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let text: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
        var errorField: String? { (object["error"] as? [String: Any])?["field"] as? String }
    }

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ path: String, token: String?, json: Any? = nil, raw: String? = nil,
              headers extra: HTTPFields = [:]) async throws -> Answer {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        } else if let raw {
            headers[.contentType] = "application/json"
            body = ByteBuffer(string: raw)
        }
        return try await client.execute(uri: path, method: method, headers: headers, body: body) { response in
            Answer(status: response.status, headers: response.headers, text: String(buffer: response.body))
        }
    }
}

/// Keeps every log line the service writes, for the planted-secret check.
final class LogCapture: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    /// Behind the lock too: one instance serves every request's logger, and a live server sets metadata on many threads at once.
    private var storedMetadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var metadata: Logger.Metadata {
        get { lock.withLock { storedMetadata } }
        set { lock.withLock { storedMetadata = newValue } }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { lock.withLock { storedMetadata[key] } }
        set { lock.withLock { storedMetadata[key] = newValue } }
    }

    func log(event: LogEvent) {
        lock.withLock { lines.append("\(event.level) \(event.message) \(event.metadata ?? [:]) \(storedMetadata)") }
    }

    var text: String { lock.withLock { lines.joined(separator: "\n") } }
}
