import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import QlikConnections
import Repository
import Secrets
import Service
import UseCases
import ConnectorAPI

/// The service under wrk (scripts/bench-service): a repository with 1,000
/// connections served by the real service, and beside it a bare Hummingbird
/// route that encodes the same page of 50 connections with JSONEncoder on
/// every request. Prints "serviceURL token bareURL" once both listen.
@main
enum ServiceBenchmark {
    static func main() async throws { try await run() }

    /// Off the main actor: the servers' tasks capture what it sets up.
    nonisolated static func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("service-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let repository = try SQLiteRepository(path: directory + "/repository.sqlite")
        let key = MasterKey.generate()
        _ = try await repository.activeMasterKeyID(registeringIfNone: key.id)
        let keyring = Keyring(active: key)
        let actor = AuditActor("bench")
        let organization = Organization(name: try OrganizationName("Bench"))
        try await repository.createOrganization(organization, by: actor)
        let admin = User(organizationID: organization.id, email: try EmailAddress("bench@example.com"), displayName: "Bench", role: .admin)
        try await repository.createUser(admin, passwordHash: nil, by: actor)
        let (_, token) = try await AccessTokenIssuer.issue(for: admin, name: "bench", in: repository, by: actor)
        let rules = ConnectionRules(organization: organization, runtimeEnvironments: try await repository.runtimeEnvironments(of: organization.id))
        for index in 0..<1000 {
            let draft = ConnectionDraft<CredentialValue>(
                name: String(format: "Connection %04d", index), description: "Benchmark connection \(index)", runtimeEnvironment: "Serverless",
                useSecretVault: false, authenticationType: "api-key", baseURL: "https://tenant\(index % 7).eu.qlikcloud.com",
                accessToken: Secret("token-\(index)-value").map { .value(.new($0)) })
            try await repository.createConnection(try rules.create(draft).sealed(with: keyring), by: actor)
        }
        var quiet = Logger(label: "service-benchmark")
        quiet.logLevel = .error
        let logger = quiet
        let service = ConnectorService(repository: repository, keyring: keyring, logger: logger)
        let (servicePort, serviceReady) = AsyncStream.makeStream(of: Int.self)
        let (barePort, bareReady) = AsyncStream.makeStream(of: Int.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await service.application(host: "127.0.0.1", port: 0) { serviceReady.yield($0) }.runService()
            }
            var ports = servicePort.makeAsyncIterator()
            guard let port = await ports.next() else { return }
            // The same page the service answers, decoded once and then encoded per request by a bare route.
            guard let url = URL(string: "http://127.0.0.1:\(port)/api/v1/connections?limit=50") else { return }
            var request = URLRequest(url: url)
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let page = try await Self.fetchPage(request)
            group.addTask { try await Self.serveBare(page, logger: logger) { bareReady.yield($0) } }
            var bares = barePort.makeAsyncIterator()
            guard let bound = await bares.next() else { return }
            FileHandle.standardOutput.write(Data("http://127.0.0.1:\(port) \(token) http://127.0.0.1:\(bound)\n".utf8))
            try await group.next()
        }
    }

    /// A bare route encoding `page` with JSONEncoder on every request.
    static func serveBare(_ page: Page<Components.Schemas.Connection>, logger: Logger, ready: @escaping @Sendable (Int) -> Void) async throws {
        let bare = Router()
        // The service's own encoder settings: the comparison is everything but the encoding.
        let encoder = ServiceJSON.makeEncoder()
        bare.get("page") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(page))))
        }
        // The issue's yardstick: a bare route answering a constant, to place this machine and wrk setting against its figures.
        bare.get("hello") { _, _ -> String in "ok" }
        try await Application(router: bare, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { ready($0.localAddress?.port ?? 0) }, logger: logger).runService()
    }

    static func fetchPage(_ request: URLRequest) async throws -> Page<Components.Schemas.Connection> {
        let (data, _) = try await URLSession.shared.data(for: request)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Page<Components.Schemas.Connection>.self, from: data)
    }
}
