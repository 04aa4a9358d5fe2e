import Foundation
public import HostResolution
public import QlikCloudAPI
public import QlikConnections

/// Test Connection: checks a connection layer by layer and stops at the
/// first failure, saying what went wrong and what to do.
///
/// Base URL form, DNS, TCP and TLS (certificate valid for the host), the
/// OAuth token exchange (OAuth 2.0), `GET /api/v1/users/me` (who, which
/// tenant, which roles), then a permission probe: list spaces, and open one
/// app in the engine when the tenant has one.
public struct ConnectionTester: Sendable {
    public let settings: TransportSettings
    /// Resolves the tenant's host for the address check (tests answer for it).
    public let resolver: any HostNameResolver

    public init(settings: TransportSettings = TransportSettings(), resolver: any HostNameResolver = SystemHostResolver()) {
        self.settings = settings
        self.resolver = resolver
    }

    private struct StepFailure: Error {
        let detail: String
        let hint: String?
    }

    /// - Parameter hosts: the operator's allow-list as read for this run: the host is checked against it, and its addresses
    ///   after resolution, before anything is sent.
    public func run(baseURL: TenantURL, authentication: ResolvedAuthentication, hosts: TenantHostPolicy) async -> ConnectionTestReport {
        let started = Date()
        let clock = ContinuousClock()
        let start = clock.now
        var steps: [ConnectionTestReport.Step] = []
        var identity: ConnectionTestReport.Identity?
        var stopped = false
        let names = Self.stepNames(authentication)
        var proxy: ProxyEnvironment.Server?
        // Replaced by the checked settings (the host pinned to a checked address) once the DNS step passes.
        var settings = settings

        func step(_ name: String, _ body: () async throws -> String) async {
            guard !stopped else {
                steps.append(.init(name: name, verdict: .skipped, milliseconds: 0, detail: "Not run: an earlier check failed.", hint: nil))
                return
            }
            let begin = clock.now
            do {
                let detail = try await body()
                steps.append(.init(name: name, verdict: .passed, milliseconds: Self.milliseconds(clock.now - begin), detail: detail, hint: nil))
            } catch {
                let failure = Self.explain(error, proxy: proxy)
                steps.append(.init(name: name, verdict: .failed, milliseconds: Self.milliseconds(clock.now - begin), detail: failure.detail, hint: failure.hint))
                stopped = true
            }
        }

        let port = baseURL.effectivePort
        await step(names.baseURL) {
            proxy = try settings.proxies.proxy(forHost: baseURL.host, scheme: baseURL.scheme)
            try hosts.checkTenant(baseURL)
            if baseURL.isQlikCloudHost, let tenant = baseURL.tenantLabel, let region = baseURL.region {
                return "\(baseURL) is a Qlik Cloud tenant address (tenant '\(tenant)', region '\(region)')."
            }
            let entry = hosts.pattern(admitting: baseURL.host, port: port).map { " ('\($0)')" } ?? ""
            return "\(baseURL) is a custom host, which the operator's tenant host allow-list admits\(entry): a sandbox or test tenant."
        }
        await step(names.dns) {
            // The addresses are checked here, right before the first connection: none link-local or metadata, none internal unless listed.
            let checked = try await TenantHostCheck.beforeRequests(to: baseURL, hosts: hosts, settings: settings, resolver: resolver)
            settings = checked.settings
            if let proxy { return "Resolved by the proxy \(proxy) (HTTPS_PROXY)." }
            let resolved = "\(baseURL.host) resolves to \((checked.addresses ?? []).prefix(4).map(\.description).joined(separator: ", "))"
            guard let pinned = settings.pinnedAddresses[baseURL.host] else { return resolved + "." }
            return resolved + "; the checks and requests that follow connect to \(pinned)."
        }
        await step(names.transport) {
            if let proxy { return "Through the proxy \(proxy): checked by the requests that follow." }
            let report = try await NetworkProbe.handshake(host: baseURL.host, port: port, tls: baseURL.scheme == "https",
                                                          settings: settings)
            guard let report else { return "TCP connection to \(baseURL.host):\(port) opened (plain HTTP: only for a local sandbox)." }
            let expiry = report.notValidAfter.map { ", valid until \(Self.day($0))" } ?? ""
            return "TLS handshake with \(baseURL.host):\(port); the certificate (\(report.subject)) is valid for the host, issued by \(report.issuer)\(expiry)."
        }
        let client: QlikCloudClient
        do {
            client = try QlikCloudClient.make(tenant: baseURL, authentication: authentication, settings: settings, retry: .none)
        } catch {
            let failure = Self.explain(error, proxy: proxy)
            steps.append(.init(name: names.identity, verdict: .failed, milliseconds: 0, detail: failure.detail, hint: failure.hint))
            return ConnectionTestReport(startedAt: started, baseURL: baseURL.description, authentication: names.authentication, steps: steps,
                                        identity: nil, milliseconds: Self.milliseconds(clock.now - start))
        }
        if let tokenStep = names.token {
            await step(tokenStep) {
                let token = try await client.currentToken()
                let expiry = token.expiresAt.map { ", valid until \(Self.timestamp($0))" } ?? ""
                return "The client credentials were exchanged for an access token\(expiry)."
            }
        }
        await step(names.identity) {
            let user = try await client.me()
            let roles = (user.assignedRoles ?? []).compactMap(\.name)
            identity = .init(userID: user.id, name: user.name, email: user.email, tenantID: user.tenantId, status: user.status, roles: roles)
            let who = [user.name, user.email.map { "<\($0)>" }].compactMap { $0 }.joined(separator: " ")
            let rolesText = roles.isEmpty ? "no roles listed" : "roles: \(roles.joined(separator: ", "))"
            return "Authenticated as \(who.isEmpty ? user.id : who) (user \(user.id)) in tenant \(user.tenantId), status \(user.status ?? "unknown"), \(rolesText)."
        }
        await step(names.permissions) {
            var spaces = 0
            for try await _ in client.spaces(limit: 100) {
                spaces += 1
                if spaces >= 100 { break }
            }
            var apps = client.items(resourceType: "app", limit: 1).makeAsyncIterator()
            let spacesText = "lists \(spaces == 100 ? "100+" : String(spaces)) space\(spaces == 1 ? "" : "s")"
            guard let app = try await apps.next(), let appID = app.resourceId else {
                return "The credentials' user \(spacesText); the tenant has no app it can see, so no engine session was opened."
            }
            let version = try await EngineSession.withSession(client: client, appID: appID) { session in
                _ = try await session.openDoc()
                return try await session.engineVersion()
            }
            return "The credentials' user \(spacesText) and opened the app '\(app.name)' in the engine (version \(version))."
        }
        await client.shutdown()
        return ConnectionTestReport(startedAt: started, baseURL: baseURL.description, authentication: names.authentication, steps: steps,
                                    identity: identity, milliseconds: Self.milliseconds(clock.now - start))
    }

    /// A re-test on a warm client (token cached, connection open): the host check against `hosts` as read now, then
    /// only the authenticated call, which is what can have changed since the full test. The client should have been
    /// made with the settings of a full test's check (``TenantHostCheck``), so that it still connects where that check allowed.
    public func quickCheck(client: QlikCloudClient, baseURL: TenantURL, hosts: TenantHostPolicy) async -> ConnectionTestReport {
        let started = Date()
        let clock = ContinuousClock()
        let begin = clock.now
        let name = "Authenticated call (GET /api/v1/users/me)"
        let step: ConnectionTestReport.Step
        var identity: ConnectionTestReport.Identity?
        do {
            _ = try await TenantHostCheck.beforeRequests(to: baseURL, hosts: hosts, settings: client.settings, resolver: resolver)
            let user = try await client.me()
            identity = .init(userID: user.id, name: user.name, email: user.email, tenantID: user.tenantId, status: user.status,
                             roles: (user.assignedRoles ?? []).compactMap(\.name))
            step = .init(name: name, verdict: .passed, milliseconds: Self.milliseconds(clock.now - begin),
                         detail: "Authenticated as \(user.name ?? user.id) in tenant \(user.tenantId).", hint: nil)
        } catch {
            let failure = Self.explain(error, proxy: nil)
            step = .init(name: name, verdict: .failed, milliseconds: Self.milliseconds(clock.now - begin), detail: failure.detail, hint: failure.hint)
        }
        return ConnectionTestReport(startedAt: started, baseURL: baseURL.description, authentication: client.authenticationKind == .apiKey ? "API Key" : "OAuth 2.0",
                                    steps: [step], identity: identity, milliseconds: Self.milliseconds(clock.now - begin))
    }

    private struct Names {
        let authentication: String
        let baseURL = "Base URL"
        let dns = "DNS resolution"
        let transport = "TCP and TLS"
        let token: String?
        let identity = "Authenticated call (GET /api/v1/users/me)"
        let permissions = "Permissions (spaces, apps, engine)"
    }

    private static func stepNames(_ authentication: ResolvedAuthentication) -> Names {
        switch authentication {
        case .apiKey: Names(authentication: "API Key", token: nil)
        case .oauth2: Names(authentication: "OAuth 2.0", token: "OAuth token exchange")
        }
    }

    private static func explain(_ error: any Error, proxy: ProxyEnvironment.Server?) -> StepFailure {
        switch error {
        case let refusal as HostRefusal:
            return StepFailure(detail: refusal.reason, hint: refusal.hint)
        case let error as QlikAPIError:
            if let proxy, case .transport(let failure) = error.kind, failure != .readTimeout {
                return StepFailure(detail: "The tenant is unreachable through the proxy \(proxy): \(failure).",
                                   hint: "Check that the proxy in HTTPS_PROXY (or HTTP_PROXY) runs and lets this host open tunnels to the tenant, or list the tenant in NO_PROXY.")
            }
            return StepFailure(detail: error.message + (error.traceID.map { " (Qlik trace id \($0))" } ?? ""), hint: error.hint)
        case let failure as TransportFailure:
            let wrapped = QlikAPIError.transport(failure, operation: "")
            return StepFailure(detail: wrapped.message, hint: wrapped.hint)
        case let engine as EngineError:
            let hint: String? = switch engine {
            case .upgradeRefused: "The engine refused the session: check that the user may open apps (Professional or Analyzer entitlement) and that the app is shared with it."
            case .connectionLost, .timeout: "REST works but the engine's WebSocket does not: a proxy or firewall may block WebSocket upgrades to /app/*."
            default: nil
            }
            return StepFailure(detail: engine.description + ".", hint: hint)
        default:
            return StepFailure(detail: "\(error)", hint: nil)
        }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    private static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }

    private static func timestamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
