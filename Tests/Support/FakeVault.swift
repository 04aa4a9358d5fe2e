public import Foundation
public import Hummingbird
import HTTPTypes
public import Synchronization

/// A small Vault, written from HashiCorp's API documentation: AppRole login
/// (`POST /v1/auth/approle/login`), token renewal (`POST /v1/auth/token/renew-self`)
/// and KV v2 reads (`GET /v1/<mount>/data/<path>`), with tokens that expire.
public final class FakeVault: Sendable {
    public struct State {
        public var tokens: [String: Date] = [:]
        public var secrets: [String: [String: String]] = [:]
        public var renewals = 0
    }

    public let roleID = "role-1"
    public let secretID = "planted-secret-id-\(UUID().uuidString)"
    public let lease: TimeInterval
    public let clock: TestClock
    public let state = Mutex(State())

    public init(lease: TimeInterval, clock: TestClock = TestClock()) {
        self.lease = lease
        self.clock = clock
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("v1/auth/approle/login") { request, _ -> Response in
            let body = try JSONSerialization.jsonObject(with: Data(buffer: try await request.body.collect(upTo: 1 << 16))) as? [String: String] ?? [:]
            guard body["role_id"] == self.roleID, body["secret_id"] == self.secretID else { return Self.json(.badRequest, ["errors": ["invalid role or secret ID"]]) }
            return self.issue()
        }
        router.post("v1/auth/token/renew-self") { request, _ -> Response in
            guard let token = request.headers[HTTPField.Name("X-Vault-Token")!], self.valid(token) else { return Self.json(.forbidden, ["errors": ["permission denied"]]) }
            self.state.withLock { $0.tokens[token] = self.clock.now.addingTimeInterval(self.lease); $0.renewals += 1 }
            return Self.json(.ok, ["auth": ["client_token": token, "lease_duration": Int(self.lease), "renewable": true]])
        }
        router.get("v1/:mount/data/**") { request, context -> Response in
            guard let token = request.headers[HTTPField.Name("X-Vault-Token")!], self.valid(token) else { return Self.json(.forbidden, ["errors": ["permission denied"]]) }
            let path = (try context.parameters.require("mount")) + "/" + context.parameters.getCatchAll().joined(separator: "/")
            guard let data = self.state.withLock({ $0.secrets[path] }) else { return Self.json(.notFound, ["errors": []]) }
            return Self.json(.ok, ["data": ["data": data, "metadata": ["version": 1]]])
        }
        return router
    }

    public func put(_ path: String, _ data: [String: String]) { state.withLock { $0.secrets[path] = data } }
    public func revokeAll() { state.withLock { $0.tokens = [:] } }

    private func valid(_ token: String) -> Bool { state.withLock { ($0.tokens[token] ?? .distantPast) > clock.now } }

    private func issue() -> Response {
        let token = "hvs.\(UUID().uuidString)"
        state.withLock { $0.tokens[token] = clock.now.addingTimeInterval(lease) }
        return Self.json(.ok, ["auth": ["client_token": token, "lease_duration": Int(lease), "renewable": true]])
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Serves on a free loopback port for the duration of `body`.
    public func withRunning<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        let (ports, ready) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { ready.yield($0.localAddress?.port ?? 0) })
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await app.runService(); return nil }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let result = try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
            return result
        }
    }
}

/// Time moved by hand, shared by a test's server and client.
public final class TestClock: Sendable {
    private let current = Mutex(Date())
    public init() {}
    public var now: Date { current.withLock { $0 } }
    public func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
}
