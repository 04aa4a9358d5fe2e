import AsyncHTTPClient
import Foundation
import Hummingbird
import HTTPTypes
import QlikConnections
import Synchronization
import Testing
@testable import Secrets

/// A small Vault, written from HashiCorp's API documentation: AppRole login
/// (`POST /v1/auth/approle/login`), token renewal (`POST /v1/auth/token/renew-self`)
/// and KV v2 reads (`GET /v1/<mount>/data/<path>`), with tokens that expire.
final class FakeVault: Sendable {
    struct State {
        var tokens: [String: Date] = [:]
        var secrets: [String: [String: String]] = [:]
        var renewals = 0
    }

    let roleID = "role-1"
    let secretID = "planted-secret-id-\(UUID().uuidString)"
    let lease: TimeInterval
    let clock: TestClock
    let state = Mutex(State())

    init(lease: TimeInterval, clock: TestClock) {
        self.lease = lease
        self.clock = clock
    }

    func router() -> Router<BasicRequestContext> {
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

    func put(_ path: String, _ data: [String: String]) { state.withLock { $0.secrets[path] = data } }
    func revokeAll() { state.withLock { $0.tokens = [:] } }

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
    func withRunning<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
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

@Suite("Secret references resolved from HashiCorp Vault (KV v2, AppRole)")
struct VaultTests {
    @Test("AppRole login, KV v2 reads, a token renewed in the last third of its lease, a new login after revocation; errors name the reference, never a secret")
    func resolves() async throws {
        let clock = TestClock()
        let vault = FakeVault(lease: 60, clock: clock)
        vault.put("secret/qlik/prod", ["token": "planted-qlik-token", "other": "x"])
        try await vault.withRunning { address in
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let role = VaultAppRole(roleID: vault.roleID, secretID: vault.secretID)
                // No caching here: every resolution goes to Vault, so the token's life is what is exercised.
                let resolver = SecretReferenceResolver(client: client, timeToLive: 0, appRole: { role }, clock: { clock.now })
                let manager = SecretReferenceResolver.Manager(vaultAddress: address)
                let reference = try SecretReference("secret/data/qlik/prod:token", for: .hashiCorpVault, field: .accessToken)
                #expect(try await resolver.resolve(reference, in: manager).reveal() == "planted-qlik-token")
                clock.advance(45)
                #expect(try await resolver.resolve(reference, in: manager).reveal() == "planted-qlik-token")
                #expect(await resolver.vault.renewals == 1 && vault.state.withLock { $0.renewals } == 1, "renewed past two thirds of its lease")
                vault.revokeAll()
                #expect(try await resolver.resolve(reference, in: manager).reveal() == "planted-qlik-token")
                #expect(await resolver.vault.logins == 2, "a refused token leads to one new login")
                for (raw, expected) in [("secret/data/qlik/prod:missing", "has no text key 'missing'"), ("secret/data/qlik/absent:token", "has no secret")] {
                    do {
                        _ = try await resolver.resolve(try SecretReference(raw, for: .hashiCorpVault, field: .accessToken), in: manager)
                        Issue.record("\(raw) resolved")
                    } catch {
                        #expect("\(error)".contains(expected) && !"\(error)".contains("planted-qlik-token"), "\(error)")
                    }
                }
                let wrong = SecretReferenceResolver(client: client, timeToLive: 0, appRole: { VaultAppRole(roleID: "role-1", secretID: "wrong-planted") },
                                                    clock: { clock.now })
                do {
                    _ = try await wrong.resolve(reference, in: manager)
                    Issue.record("a wrong secret id logged in")
                } catch {
                    #expect("\(error)".contains("refused the AppRole login of role role-1") && !"\(error)".contains("wrong-planted"), "\(error)")
                }
                #expect(!"\(role)".contains(vault.secretID) && !"\(Mirror(reflecting: role).children.map(\.value))".contains(vault.secretID))
                try await client.shutdown()
            } catch {
                try await client.shutdown()
                throw error
            }
        }
    }
}
