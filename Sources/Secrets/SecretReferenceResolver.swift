public import AsyncHTTPClient
import Caching
public import Foundation
public import HostResolution
import NIOCore
import NIOFoundationCompat
public import QlikConnections

/// Why a secret reference gave no value: always naming the reference and the
/// manager, never a value.
public struct SecretResolutionError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Turns secret references into values where the task runs (a Secure Agent),
/// keeping each fetched secret in memory for `timeToLive` so a rotation is
/// picked up within that time; concurrent resolutions of one secret share one
/// fetch. AWS Secrets Manager over SigV4-signed HTTPS; HashiCorp Vault KV v2
/// with an AppRole.
public actor SecretReferenceResolver {
    /// The organization's secrets manager, as the service tells the agent: AWS (region, endpoint) or Vault (address).
    /// With `credentials` when the organization keeps the manager's own credentials; else this process's environment serves.
    public struct Manager: Codable, Sendable, Hashable, CustomStringConvertible {
        public let region: String
        public let endpoint: String?
        public let vaultAddress: String?
        public let credentials: Credentials?
        /// The operator's tenant host allow-list: an http:// or internal address is reached only when it admits the host.
        public let allowedHosts: [String]?

        public init(region: String, endpoint: String?, credentials: Credentials? = nil, allowedHosts: [String] = []) {
            self.region = region
            self.endpoint = endpoint
            vaultAddress = nil
            self.credentials = credentials
            self.allowedHosts = allowedHosts
        }

        public init(vaultAddress: String, credentials: Credentials? = nil, allowedHosts: [String] = []) {
            region = ""
            endpoint = nil
            self.vaultAddress = vaultAddress
            self.credentials = credentials
            self.allowedHosts = allowedHosts
        }

        /// The same manager with only the entries of `hosts` that admit its address: an agent learns nothing else of the list.
        public func allowing(_ hosts: TenantHostPolicy) -> Manager {
            Manager(region: region, endpoint: endpoint, vaultAddress: vaultAddress, credentials: credentials,
                    allowedHosts: hosts.restricted(toAddress: address).patterns.map(\.description))
        }

        private init(region: String, endpoint: String?, vaultAddress: String?, credentials: Credentials?, allowedHosts: [String]) {
            self.region = region
            self.endpoint = endpoint
            self.vaultAddress = vaultAddress
            self.credentials = credentials
            self.allowedHosts = allowedHosts
        }

        /// Where requests go: the Vault address, the AWS endpoint, or AWS's own for the region.
        var address: String { vaultAddress ?? endpoint ?? "https://secretsmanager.\(region).amazonaws.com" }

        /// Right before a request: https (http only for a listed host), and no address the host resolves to is link-local,
        /// metadata, or internal unless listed. Nothing is sent, credentials least of all, when this fails.
        func checkAddress(resolver: any HostNameResolver) async throws -> Void {
            let what = vaultAddress == nil ? "The AWS Secrets Manager endpoint" : "The Vault address"
            do {
                let hosts = try TenantHostPolicy(parsing: allowedHosts ?? [])
                try await hosts.checkServiceAddressBeforeRequest(address, what: what, resolver: resolver)
            } catch let refusal as HostRefusal {
                throw SecretResolutionError("\(refusal) Nothing was sent to it.")
            } catch {
                throw SecretResolutionError("\(what) \(address) cannot be checked against the operator's allow-list: \(error)")
            }
        }

        public var description: String {
            let kept = credentials == nil ? "credentials from the environment" : "credentials from the organization's settings"
            return vaultAddress.map { "HashiCorp Vault at \($0), \(kept)" } ?? "AWS Secrets Manager (\(region)), \(kept)"
        }
    }

    /// The manager's own credentials as the organization keeps them: an AWS access key, or a Vault AppRole. Never printed.
    public struct Credentials: Codable, Sendable, Hashable, CustomStringConvertible, CustomReflectable {
        public let awsAccessKeyID: String?
        let awsSecretAccessKey: String?
        public let vaultRoleID: String?
        let vaultSecretID: String?

        public init(aws accessKeyID: String, secretAccessKey: String) {
            awsAccessKeyID = accessKeyID
            awsSecretAccessKey = secretAccessKey
            vaultRoleID = nil
            vaultSecretID = nil
        }

        public init(vaultRoleID: String, secretID: String) {
            awsAccessKeyID = nil
            awsSecretAccessKey = nil
            self.vaultRoleID = vaultRoleID
            vaultSecretID = secretID
        }

        var aws: SigV4.Credentials? {
            guard let awsAccessKeyID, let awsSecretAccessKey else { return nil }
            return SigV4.Credentials(accessKeyID: awsAccessKeyID, secretAccessKey: awsSecretAccessKey)
        }

        var appRole: VaultAppRole? {
            guard let vaultRoleID, let vaultSecretID else { return nil }
            return VaultAppRole(roleID: vaultRoleID, secretID: vaultSecretID)
        }

        public var description: String { vaultRoleID.map { "Vault AppRole \($0) (secret id hidden)" } ?? "AWS access key \(awsAccessKeyID ?? "?") (secret hidden)" }
        public var customMirror: Mirror { Mirror(self, children: ["awsAccessKeyID": awsAccessKeyID as Any, "vaultRoleID": vaultRoleID as Any]) }
    }

    private let client: HTTPClient
    private let credentials: @Sendable () -> SigV4.Credentials?
    private let timeToLive: TimeInterval
    /// Fetched secrets by manager, credential and name. No early refresh (margin none): a rotation shows after at most `timeToLive`.
    private var cache: [String: ExpiringValue<String>] = [:]
    private var vaultCache: [String: ExpiringValue<[String: String]>] = [:]
    /// One Vault session per address and AppRole: a token is never sent to another address than the one that issued it.
    private var vaultSessions: [String: VaultSession] = [:]
    private let appRole: @Sendable () -> VaultAppRole?
    /// Resolves a manager's host for the check before each call (tests answer for it).
    private let hostResolver: any HostNameResolver

    /// Tests move time by hand: cache and token ages do not depend on how busy the machine is.
    private let clock: @Sendable () -> Date

    public init(client: HTTPClient, timeToLive: TimeInterval = 300,
                credentials: @escaping @Sendable () -> SigV4.Credentials? = { SigV4.Credentials.fromStandardChain() },
                appRole: @escaping @Sendable () -> VaultAppRole? = { VaultAppRole.fromEnvironment() },
                clock: @escaping @Sendable () -> Date = { Date() }, hostResolver: any HostNameResolver = SystemHostResolver()) {
        self.client = client
        self.hostResolver = hostResolver
        self.timeToLive = timeToLive
        self.credentials = credentials
        self.clock = clock
        self.appRole = appRole
    }

    /// The Vault session for `address` with the environment's AppRole: what tests look into.
    func environmentSession(at address: String) -> VaultSession { session(for: nil, address: address) }

    /// An HTTP client for secrets managers: redirects are never followed, so no answer sends a request (or a credential) elsewhere.
    public static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func resolve(_ reference: SecretReference, in manager: Manager) async throws -> Secret {
        // At each use, cached or not: an address taken off the operator's list stops working at once.
        try await manager.checkAddress(resolver: hostResolver)
        switch reference {
        case .vault(let mount, let path, let key):
            guard let address = manager.vaultAddress else {
                throw SecretResolutionError("Secret reference '\(reference)' is a Vault reference, but the organization's secrets manager is not Vault.")
            }
            let role = manager.credentials?.appRole
            // Keyed by the whole credential: knowing another's role id alone never reaches its cached secrets.
            let cacheKey = "\(address)|\(Self.identity(role.map { ($0.roleID, $0.secretID) }))|\(mount)|\(path)"
            let vault = session(for: role, address: address)
            let (now, lifetime) = (clock, timeToLive)
            let object = try await cached(cacheKey, in: &vaultCache).get { _ in
                let values = try await vault.read(address: address, mount: mount, path: path)
                return (values, now().addingTimeInterval(lifetime))
            }
            guard let value = object[key], let secret = Secret(value) else {
                throw SecretResolutionError("Vault secret '\(mount)/data/\(path)' at \(address) has no text key '\(key)' (reference '\(reference)'); "
                    + "its keys are: \(object.keys.sorted().joined(separator: ", ")).")
            }
            return secret
        case .aws(let secretID, let key):
            let text = try await secretString(secretID, in: manager)
            guard let key else {
                guard let secret = Secret(text) else { throw SecretResolutionError("Secret '\(secretID)' in AWS Secrets Manager (\(manager.region)) is empty.") }
                return secret
            }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
                throw SecretResolutionError("Secret '\(secretID)' in AWS Secrets Manager (\(manager.region)) is not a JSON object, so it has no key '\(key)'; "
                    + "reference the whole secret as '\(secretID)' or store it as key/value pairs.")
            }
            guard let value = object[key] as? String, let secret = Secret(value) else {
                throw SecretResolutionError("Secret '\(secretID)' in AWS Secrets Manager (\(manager.region)) has no text key '\(key)' "
                    + "(reference '\(reference)'); its keys are: \(object.keys.sorted().joined(separator: ", ")).")
            }
            return secret
        }
    }

    /// The Vault session for `address` with an AppRole the organization keeps, or the environment's.
    private func session(for role: VaultAppRole?, address: String) -> VaultSession {
        let key = "\(address)|\(Self.identity(role.map { ($0.roleID, $0.secretID) }))"
        if let known = vaultSessions[key] { return known }
        let login: @Sendable () -> VaultAppRole?
        if let role { login = { role } } else { login = appRole }
        let made = VaultSession(client: client, appRole: login, clock: clock)
        vaultSessions[key] = made
        return made
    }

    /// A cache key for a credential: its public half and a digest of the whole, or "environment".
    private static func identity(_ credential: (public: String, secret: String)?) -> String {
        guard let credential else { return "environment" }
        return credential.public + ":" + SHA256Digest.hex(credential.public + "\u{0}" + credential.secret)
    }

    private func secretString(_ secretID: String, in manager: Manager) async throws -> String {
        let aws = manager.credentials?.aws.map { ($0.accessKeyID, $0.secretAccessKey) }
        let cacheKey = "\(manager.region)|\(manager.endpoint ?? "")|\(Self.identity(aws))|\(secretID)"
        let (now, lifetime) = (clock, timeToLive)
        return try await cached(cacheKey, in: &cache).get { _ in
            let text = try await self.fetch(secretID, in: manager)
            return (text, now().addingTimeInterval(lifetime))
        }
    }

    /// The cache entry for `key`, made on first use.
    private func cached<Value: Sendable>(_ key: String, in entries: inout [String: ExpiringValue<Value>]) -> ExpiringValue<Value> {
        if let known = entries[key] { return known }
        let made = ExpiringValue<Value>(now: clock)
        entries[key] = made
        return made
    }

    private func fetch(_ secretID: String, in manager: Manager) async throws -> String {
        guard let credentials = manager.credentials?.aws ?? credentials() else {
            throw SecretResolutionError("No AWS credentials to read secret '\(secretID)': keep an access key in the organization's secrets manager settings, "
                + "or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones) or a shared credentials file where the task runs.")
        }
        let base = manager.endpoint ?? "https://secretsmanager.\(manager.region).amazonaws.com"
        guard let url = URL(string: base), let host = url.host else { throw SecretResolutionError("The secrets manager endpoint '\(base)' is not a URL.") }
        let hostHeader = url.port.map { "\(host):\($0)" } ?? host
        let body = try JSONSerialization.data(withJSONObject: ["SecretId": secretID])
        let headers = ["host": hostHeader, "content-type": "application/x-amz-json-1.1", "x-amz-target": "secretsmanager.GetSecretValue"]
        let signed = SigV4(credentials: credentials, region: manager.region, service: "secretsmanager")
            .sign(method: "POST", path: "/", headers: headers, body: body, date: Date())
        var request = HTTPClientRequest(url: base.hasSuffix("/") ? base : base + "/")
        request.method = .POST
        for (name, value) in headers.merging(signed, uniquingKeysWith: { $1 }) where name != "host" { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(data: body))
        let response: HTTPClientResponse
        let data: Data
        do {
            response = try await client.execute(request, timeout: .seconds(15))
            data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        } catch {
            throw SecretResolutionError("AWS Secrets Manager at \(base) did not answer for secret '\(secretID)': \(error).")
        }
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        guard response.status.code == 200 else {
            let type = (object["__type"] as? String ?? "").split(separator: "#").last.map(String.init) ?? ""
            switch type {
            case "ResourceNotFoundException":
                throw SecretResolutionError("Secret '\(secretID)' does not exist in AWS Secrets Manager (\(manager.region)).")
            case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException":
                throw SecretResolutionError("AWS refused to read secret '\(secretID)' with credentials \(credentials.accessKeyID): \(type).")
            default:
                throw SecretResolutionError("AWS Secrets Manager answered \(response.status.code) \(type) for secret '\(secretID)'.")
            }
        }
        guard let text = object["SecretString"] as? String else {
            throw SecretResolutionError("Secret '\(secretID)' holds binary data, not text; store the credential as a string.")
        }
        return text
    }
}
