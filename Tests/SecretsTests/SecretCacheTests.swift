import AsyncHTTPClient
import Foundation
import Hummingbird
import HTTPTypes
import QlikConnections
import Synchronization
import Testing
@testable import Secrets

@Suite("The secret cache: one fetch per secret however many tasks resolve it at once")
struct SecretCacheTests {
    /// AWS Secrets Manager's GetSecretValue answered slowly, counting its calls: enough to tell one fetch from many.
    final class CountingSecretsManager: Sendable {
        let calls = Mutex(0)

        func withRunning<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
            let router = Router()
            router.post("/") { _, _ -> Response in
                self.calls.withLock { $0 += 1 }
                // Slow enough that every concurrent resolution starts before the first answer.
                try await Task.sleep(for: .milliseconds(200))
                let body = try JSONSerialization.data(withJSONObject: ["Name": "qc/db", "SecretString": #"{"apiKey": "planted-key"}"#])
                return Response(status: .ok, headers: [.contentType: "application/x-amz-json-1.1"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
            }
            let (ports, ready) = AsyncStream.makeStream(of: Int.self)
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
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

    @Test("50 concurrent resolutions of one AWS secret make one GetSecretValue call")
    func concurrentResolvesFetchOnce() async throws {
        let manager = CountingSecretsManager()
        try await manager.withRunning { endpoint in
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let resolver = SecretReferenceResolver(client: client, timeToLive: 300,
                                                       credentials: { SigV4.Credentials(accessKeyID: "testing", secretAccessKey: "testing") })
                let aws = SecretReferenceResolver.Manager(region: "us-east-1", endpoint: endpoint, allowedHosts: ["127.0.0.1:*"])
                let reference = try SecretReference("qc/db:apiKey", for: .awsSecretsManager, field: .accessToken)
                let values = try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<50 { group.addTask { try await resolver.resolve(reference, in: aws).reveal() } }
                    return try await group.reduce(into: Set<String>()) { $0.insert($1) }
                }
                #expect(values == ["planted-key"])
                #expect(manager.calls.withLock { $0 } == 1)
            } catch {
                try await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }
}
