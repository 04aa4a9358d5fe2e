import AsyncHTTPClient
import Caching
public import Foundation
import NIOCore
import NIOFoundationCompat

/// An AppRole's role id and secret id, from VAULT_ROLE_ID and VAULT_SECRET_ID in the agent's environment.
public struct VaultAppRole: Sendable, CustomStringConvertible, CustomReflectable {
    public let roleID: String
    let secretID: String

    public init(roleID: String, secretID: String) {
        self.roleID = roleID
        self.secretID = secretID
    }

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> VaultAppRole? {
        guard let role = environment["VAULT_ROLE_ID"], !role.isEmpty, let secret = environment["VAULT_SECRET_ID"], !secret.isEmpty else { return nil }
        return VaultAppRole(roleID: role, secretID: secret)
    }

    public var description: String { "Vault AppRole \(roleID) (secret id hidden)" }
    public var customMirror: Mirror { Mirror(self, children: ["roleID": roleID]) }
}

/// A Vault client token with what its renewal needs to know.
struct VaultToken: Sendable, Equatable {
    let value: String
    let renewable: Bool
}

/// HashiCorp Vault over its HTTP API: an AppRole login, a token renewed in
/// the last third of its lease in the background while reads go on with it
/// (logged in again when renewal is refused), and KV v2 reads. Concurrent
/// reads share one login or renewal (an ExpiringValue).
public actor VaultSession {
    private let client: HTTPClient
    private let appRole: @Sendable () -> VaultAppRole?
    private let token: ExpiringValue<VaultToken>
    /// Renew in the last third of the lease.
    static let refreshMargin = RefreshMargin(fractionOfLifetime: 1.0 / 3)
    /// How many times the token was renewed and how many logins were made: what the tests pin.
    public private(set) var renewals = 0
    public private(set) var logins = 0

    private let clock: @Sendable () -> Date

    init(client: HTTPClient, appRole: @escaping @Sendable () -> VaultAppRole?, clock: @escaping @Sendable () -> Date) {
        self.client = client
        self.appRole = appRole
        self.clock = clock
        token = ExpiringValue(now: clock)
    }

    /// The secret's key/value pairs at `mount/data/path`.
    func read(address: String, mount: String, path: String) async throws -> [String: String] {
        for attempt in 0..<2 {
            let current = try await token.get(refreshingEarly: Self.refreshMargin) { current in try await self.renewOrLogIn(current, at: address) }
            let (status, object) = try await call(address, "GET", "v1/\(mount)/data/\(path)", token: current.value, body: nil)
            switch status {
            case 200:
                let data = ((object["data"] as? [String: Any])?["data"] as? [String: Any]) ?? [:]
                return data.compactMapValues { $0 as? String }
            case 403 where attempt == 0:
                // Revoked or expired early: log in again, once.
                await token.invalidate(ifCurrent: { $0 == current })
            case 404:
                throw SecretResolutionError("Vault has no secret '\(mount)/data/\(path)' at \(address).")
            default:
                throw SecretResolutionError("Vault at \(address) answered \(status) for '\(mount)/data/\(path)': \(Self.errors(object)).")
            }
        }
        throw SecretResolutionError("Vault at \(address) refused the AppRole's token for '\(mount)/data/\(path)' even after a new login.")
    }

    /// The latest login's or renewal's token, waiting for it while it runs: how a test sees a background renewal land.
    func latestTokenRefresh() async throws {
        _ = try await token.latestRefresh()
    }

    /// A renewal of the still valid token when Vault allows it, else a new login.
    private func renewOrLogIn(_ current: VaultToken?, at address: String) async throws -> (value: VaultToken, expiresAt: Date) {
        let now = clock()
        if let current, current.renewable {
            let (status, object) = try await call(address, "POST", "v1/auth/token/renew-self", token: current.value, body: [:])
            if status == 200, let renewed = Self.auth(object, now: now) {
                renewals += 1
                return renewed
            }
        }
        guard let role = appRole() else {
            throw SecretResolutionError("No Vault AppRole to log in with: keep one in the organization's secrets manager settings, or set VAULT_ROLE_ID and VAULT_SECRET_ID where the task runs.")
        }
        let (status, object) = try await call(address, "POST", "v1/auth/approle/login", token: nil, body: ["role_id": role.roleID, "secret_id": role.secretID])
        guard status == 200, let issued = Self.auth(object, now: now) else {
            throw SecretResolutionError("Vault at \(address) refused the AppRole login of role \(role.roleID) (\(status)): \(Self.errors(object)).")
        }
        logins += 1
        return issued
    }

    private static func auth(_ object: [String: Any], now: Date) -> (value: VaultToken, expiresAt: Date)? {
        guard let auth = object["auth"] as? [String: Any], let value = auth["client_token"] as? String else { return nil }
        let lease = (auth["lease_duration"] as? Double) ?? Double(auth["lease_duration"] as? Int ?? 0)
        // A lease of 0 is a token that does not expire (Vault's root tokens).
        return (VaultToken(value: value, renewable: auth["renewable"] as? Bool ?? false), lease > 0 ? now.addingTimeInterval(lease) : .distantFuture)
    }

    private static func errors(_ object: [String: Any]) -> String {
        (object["errors"] as? [String])?.joined(separator: "; ") ?? "no reason given"
    }

    private func call(_ address: String, _ method: String, _ path: String, token: String?, body: [String: String]?) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: (address.hasSuffix("/") ? address : address + "/") + path)
        request.method = .RAW(value: method)
        if let token { request.headers.add(name: "X-Vault-Token", value: token) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        }
        do {
            let response = try await client.execute(request, timeout: .seconds(15))
            let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
            return (Int(response.status.code), (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
        } catch {
            throw SecretResolutionError("Vault at \(address) did not answer \(method) /\(path): \(error).")
        }
    }
}
