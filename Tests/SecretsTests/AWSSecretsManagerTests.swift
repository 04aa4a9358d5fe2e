import AsyncHTTPClient
import Foundation
import Synchronization
import QlikConnections
import Testing
import TestRepositories
@testable import Secrets

@Suite("Secret references resolved from AWS Secrets Manager (moto)")
struct AWSSecretsManagerTests {
    let credentials: @Sendable () -> SigV4.Credentials? = { SigV4.Credentials(accessKeyID: "testing", secretAccessKey: "testing") }

    @Test("a key of a JSON secret, a rotation after the cache's time, and errors that name the reference and never the value")
    func resolves() async throws {
        let manager = SecretReferenceResolver.Manager(region: "us-east-1", endpoint: try MotoSecrets.endpoint(), allowedHosts: ["127.0.0.1:*"])
        let name = "qc/test-\(UUID().uuidString.prefix(8))"
        let planted = "planted-\(UUID().uuidString)"
        try await MotoSecrets.put(name, #"{"apiKey": "\#(planted)", "other": "x"}"#)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let clock = TestClock()
            let resolver = SecretReferenceResolver(client: client, timeToLive: 60, credentials: credentials, clock: { clock.now })
            let reference = try SecretReference("\(name):apiKey", for: .awsSecretsManager, field: .accessToken)
            #expect(try await resolver.resolve(reference, in: manager).reveal() == planted)
            // Rotated: the cached value serves until the cache's time is up, then the new one.
            try await MotoSecrets.put(name, #"{"apiKey": "rotated-\#(planted)"}"#)
            #expect(try await resolver.resolve(reference, in: manager).reveal() == planted)
            clock.advance(61)
            #expect(try await resolver.resolve(reference, in: manager).reveal() == "rotated-\(planted)")
            for (raw, expected) in [("\(name):missingKey", "has no text key 'missingKey'"), ("qc/absent:apiKey", "does not exist")] {
                let missing = try SecretReference(raw, for: .awsSecretsManager, field: .accessToken)
                do {
                    _ = try await resolver.resolve(missing, in: manager)
                    Issue.record("\(raw) resolved")
                } catch {
                    let message = "\(error)"
                    #expect(message.contains(expected) && message.contains(raw.split(separator: ":")[0]) && !message.contains(planted), "\(message)")
                }
            }
            let unsigned = SecretReferenceResolver(client: client, credentials: { nil })
            await #expect(throws: SecretResolutionError.self) { _ = try await unsigned.resolve(reference, in: manager) }
            try await client.shutdown()
        } catch {
            try await client.shutdown()
            throw error
        }
    }
}
