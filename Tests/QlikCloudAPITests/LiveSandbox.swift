import Foundation
import QlikCloudAPI
import QlikConnections
@testable import QlikCloudSandbox

/// Serves `sandbox` on a free loopback port for the duration of `body`.
func withLiveSandbox<T: Sendable>(_ sandbox: QlikCloudSandbox, _ body: @escaping @Sendable (SandboxCredentials) async throws -> T) async throws -> T {
    try await sandbox.withRunning(body)
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension SandboxCredentials {
    var tenant: TenantURL {
        get throws { try TenantURL(baseURL, policy: .anyWellFormedHost) }
    }

    func client(oauth: Bool = false, retry: RetryPolicy = .standard, settings: TransportSettings = TransportSettings()) throws -> QlikCloudClient {
        let authentication: ResolvedAuthentication = oauth
            ? .oauth2(clientID: Secret(clientID)!, clientSecret: Secret(clientSecret)!)
            : .apiKey(Secret(apiKey)!)
        return try QlikCloudClient.make(tenant: try tenant, authentication: authentication, settings: settings, retry: retry)
    }
}

/// Settings that ignore the machine's proxy variables, so tests reach loopback directly.
let directSettings = TransportSettings(proxies: ProxyEnvironment(environment: [:]))
