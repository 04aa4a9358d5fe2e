import Foundation
import QlikCloudAPI
import QlikConnections
@testable import QlikCloudSandbox

/// Serves `sandbox` on a free loopback port for the duration of `body`.
func withLiveSandbox<T: Sendable>(_ sandbox: QlikCloudSandbox, _ body: @escaping @Sendable (SandboxCredentials) async throws -> T) async throws -> T {
    let (ready, continuation) = AsyncStream.makeStream(of: SandboxCredentials.self)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await sandbox.run { continuation.yield($0) }
            return nil
        }
        var iterator = ready.makeAsyncIterator()
        guard let credentials = await iterator.next() else { throw TestFailure("the sandbox never became ready") }
        do {
            let result = try await body(credentials)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension SandboxCredentials {
    var tenant: TenantURL {
        get throws { try TenantURL(baseURL, policy: .allowCustomHosts) }
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
