public import QlikCloudAPI
public import QlikCloudSandbox
public import QlikConnections

/// Serves `sandbox` on a free loopback port for the duration of `body`.
public func withLiveSandbox<T: Sendable>(_ sandbox: QlikCloudSandbox, _ body: @escaping @Sendable (SandboxCredentials) async throws -> T) async throws -> T {
    try await sandbox.withRunning(body)
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension SandboxCredentials {
    public var tenant: TenantURL {
        get throws { try TenantURL(baseURL, policy: .anyWellFormedHost) }
    }

    public func client(oauth: Bool = false, retry: RetryPolicy = .standard, settings: TransportSettings = TransportSettings()) throws -> QlikCloudClient {
        let authentication: ResolvedAuthentication = oauth
            ? .oauth2(clientID: Secret(clientID)!, clientSecret: Secret(clientSecret)!)
            : .apiKey(Secret(apiKey)!)
        return try QlikCloudClient.make(tenant: try tenant, authentication: authentication, settings: settings, retry: retry)
    }
}

/// Settings that ignore the machine's proxy variables, so tests reach loopback directly.
public let directSettings = TransportSettings(proxies: ProxyEnvironment(environment: [:]))
