import AsyncHTTPClient
public import Foundation
public import Secrets

/// A secret resolver for the length of `body`, with the HTTP client it
/// calls the secrets manager through, shut down afterwards however `body`
/// ends. AWS credentials and Vault's AppRole come from this process's
/// environment, as on an agent.
public enum SecretResolution {
    public static func withResolver<T: Sendable>(timeToLive: TimeInterval = 300,
                                                 awsCredentials: @escaping @Sendable () -> SigV4.Credentials? = { SigV4.Credentials.fromStandardChain() },
                                                 _ body: (SecretReferenceResolver) async throws -> T) async throws -> T {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let result: T
        do {
            result = try await body(SecretReferenceResolver(client: client, timeToLive: timeToLive, credentials: awsCredentials))
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return result
    }
}
