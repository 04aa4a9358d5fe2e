import AsyncHTTPClient
public import Foundation
public import Secrets

/// Where the secrets manager's own credentials come from when the
/// organization keeps none. An agent serves one organization, so its
/// environment is fine; the service's serverless workers serve them all, so
/// by default they use only what each organization keeps: otherwise any
/// organization could read whatever the service's own identity can.
public struct ManagerCredentialSource: Sendable {
    let aws: @Sendable () -> SigV4.Credentials?
    let appRole: @Sendable () -> VaultAppRole?

    public init(aws: @escaping @Sendable () -> SigV4.Credentials?, appRole: @escaping @Sendable () -> VaultAppRole?) {
        self.aws = aws
        self.appRole = appRole
    }

    /// This process's environment: AWS's standard chain, VAULT_ROLE_ID and VAULT_SECRET_ID.
    public static let environment = ManagerCredentialSource(aws: { SigV4.Credentials.fromStandardChain() }, appRole: { VaultAppRole.fromEnvironment() })
    /// Only what each organization keeps in its settings.
    public static let organizationsOnly = ManagerCredentialSource(aws: { nil }, appRole: { nil })
}

/// A secret resolver for the length of `body`, with the HTTP client it
/// calls the secrets manager through, shut down afterwards however `body` ends.
public enum SecretResolution {
    public static func withResolver<T: Sendable>(timeToLive: TimeInterval = 300, fallback: ManagerCredentialSource = .environment,
                                                 _ body: (SecretReferenceResolver) async throws -> T) async throws -> T {
        let client = SecretReferenceResolver.makeHTTPClient()
        let result: T
        do {
            result = try await body(SecretReferenceResolver(client: client, timeToLive: timeToLive, credentials: fallback.aws, appRole: fallback.appRole))
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return result
    }
}
