import Foundation
public import NIOCore
import NIOFoundationCompat
public import QlikConnections

/// A client for one tenant: every REST call goes through ``send(_:_:query:body:idempotent:)``,
/// which adds the bearer token, retries by the policy, refreshes an OAuth
/// token once after a 401, and turns error answers into ``QlikAPIError``.
public struct QlikCloudClient: Sendable {
    public let baseURL: String
    public let host: String
    /// Where links from answers may lead (nil when the Base URL does not parse: then no link is followed).
    let linkScope: TenantLinkScope?
    let transport: any HTTPTransport
    let tokens: any AccessTokenProvider
    public let retry: RetryPolicy
    /// Settings the engine's WebSocket uses too (CA bundle, proxy).
    public let settings: TransportSettings

    public init(baseURL: String, tokens: any AccessTokenProvider, transport: any HTTPTransport, retry: RetryPolicy = .standard,
                settings: TransportSettings = TransportSettings()) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        host = URLComponents(string: baseURL)?.host ?? baseURL
        linkScope = TenantLinkScope(baseURL: baseURL)
        self.tokens = tokens
        self.transport = transport
        self.retry = retry
        self.settings = settings
    }

    /// The client for a connection's authentication, credentials already in hand.
    public static func make(tenant: TenantURL, authentication: ResolvedAuthentication, settings: TransportSettings = TransportSettings(),
                            retry: RetryPolicy = .standard) throws(QlikAPIError) -> QlikCloudClient {
        let transport: AsyncHTTPTransport
        do {
            transport = try AsyncHTTPTransport(host: tenant.host, scheme: tenant.scheme, settings: settings)
        } catch {
            throw QlikAPIError.transport(error, operation: "Preparing the connection to \(tenant)")
        }
        let tokens: any AccessTokenProvider = switch authentication {
        case .apiKey(let key): APIKeyTokenProvider(apiKey: key.reveal())
        case .oauth2(let id, let secret):
            OAuthClientCredentialsProvider(baseURL: tenant.description, clientID: id.reveal(), clientSecret: secret.reveal(), transport: transport, retry: retry)
        }
        return QlikCloudClient(baseURL: tenant.description, tokens: tokens, transport: transport, retry: retry, settings: settings)
    }

    public var authenticationKind: AuthenticationKind { tokens.kind }

    /// A bearer token now (an OAuth exchange when none is cached).
    public func currentToken() async throws(QlikAPIError) -> BearerToken { try await tokens.token() }

    public func shutdown() async { await transport.shutdown() }

    /// Runs `body` with the client and shuts its connections down afterwards, however `body` ends.
    public func run<T>(_ body: (QlikCloudClient) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            await shutdown()
            return result
        } catch {
            await shutdown()
            throw error
        }
    }

    // MARK: Requests

    /// Sends one request to `path` (under the base URL) or to an absolute URL on the Base URL's own origin and path.
    public func send(_ method: TransportRequest.Method, _ path: String, query: [(String, String?)] = [], body: TransportRequest.Body = .none,
                     contentType: String? = nil, idempotent: Bool? = nil, maximumBodySize: Int = 64 << 20) async throws(QlikAPIError) -> TransportResponse {
        let url = try self.url(path, query: query)
        let operation = "\(method.rawValue) \(Self.operationPath(url))"
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let contentType { headers.append(("Content-Type", contentType)) }
        let request = TransportRequest(method: method, url: url, headers: headers, body: body)
        return try await authorized(request, operation: operation, idempotent: idempotent ?? request.isIdempotent) { request throws(TransportFailure) in
            try await transport.send(request, maximumBodySize: maximumBodySize)
        }
    }

    /// Like ``send(_:_:query:body:contentType:idempotent:maximumBodySize:)``, with the answer's body streamed to `sink`.
    public func stream(_ method: TransportRequest.Method, _ path: String, headers extra: [(name: String, value: String)] = [],
                       into sink: @escaping @Sendable (ByteBuffer) async throws -> Void) async throws(QlikAPIError) -> TransportResponse {
        let url = try self.url(path, query: [])
        let request = TransportRequest(method: method, url: url, headers: extra, body: .none)
        return try await authorized(request, operation: "\(method.rawValue) \(Self.operationPath(url))", idempotent: false) { request throws(TransportFailure) in
            try await transport.stream(request, into: sink)
        }
    }

    /// Decodes a JSON answer into `T`.
    public func get<T: Decodable>(_ type: T.Type, _ path: String, query: [(String, String?)] = []) async throws(QlikAPIError) -> T {
        let response = try await send(.get, path, query: query)
        return try decode(type, response, operation: "GET \(path)")
    }

    public func decode<T: Decodable>(_ type: T.Type, _ response: TransportResponse, operation: String) throws(QlikAPIError) -> T {
        do {
            let decoder = JSONDecoder()
            return try decoder.decode(type, from: Data(buffer: response.body))
        } catch {
            throw QlikAPIError(kind: .unexpectedResponse, operation: operation, status: response.status,
                               message: "The answer is not the \(type) Qlik documents: \(Self.describe(error)).")
        }
    }

    /// Adds the bearer, runs the retry policy, and after a 401 gets a new token and tries once more.
    private func authorized(_ request: TransportRequest, operation: String, idempotent: Bool,
                            _ send: @escaping @Sendable (TransportRequest) async throws(TransportFailure) -> TransportResponse) async throws(QlikAPIError) -> TransportResponse {
        var refreshed = false
        while true {
            let token = try await tokens.token()
            var prepared = request
            prepared.headers.append(("Authorization", token.authorization))
            let attempt = prepared
            let response = try await retry.run(operation: operation, idempotent: idempotent) { () async throws(TransportFailure) in try await send(attempt) }
            if response.status == 401, !refreshed, tokens.kind == .oauth2 {
                // A 401 means the request was not processed: a new token and one more try is safe for any method.
                refreshed = true
                await tokens.tokenRejected(token)
                continue
            }
            guard (200..<300).contains(response.status) else {
                throw QlikAPIError.http(status: response.status, body: try? JSONDecoder().decode(QlikErrorBody.self, from: Data(buffer: response.body)),
                                        operation: operation, authentication: tokens.kind, retryAfter: RetryPolicy.retryAfter(response))
            }
            return response
        }
    }

    func url(_ path: String, query: [(String, String?)]) throws(QlikAPIError) -> String {
        var url: String
        if URLComponents(string: path)?.scheme != nil || path.hasPrefix("//") {
            // An absolute URL can only have come from an answer: it goes through the same check as every link.
            url = try link(path, operation: "Following a link")
        } else {
            url = baseURL + (path.hasPrefix("/") ? path : "/" + path)
        }
        let items = query.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        if !items.isEmpty {
            guard var components = URLComponents(string: url) else {
                throw QlikAPIError(kind: .invalidBaseURL, operation: path, message: "The request URL cannot be built from \(baseURL) and \(path).")
            }
            components.queryItems = (components.queryItems ?? []) + items
            // '+' in a value must reach Qlik as a plus, not a space.
            let encoded = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
            components.percentEncodedQuery = encoded
            guard let built = components.string else {
                throw QlikAPIError(kind: .invalidBaseURL, operation: path, message: "The request URL cannot be built from \(baseURL) and \(path).")
            }
            url = built
        }
        return url
    }

    /// The URL to request for a link the tenant handed back (a page's `links.next.href`, a `Location`):
    /// only on the Base URL's exact origin and under its path, or the request is not made.
    func link(_ link: String, operation: String) throws(QlikAPIError) -> String {
        guard let linkScope else {
            throw QlikAPIError(kind: .invalidBaseURL, operation: operation, message: "The Base URL \(baseURL) cannot be read, so no link from the tenant is followed.")
        }
        return try linkScope.url(for: link, operation: operation)
    }

    /// The path without the query, for messages.
    static func operationPath(_ url: String) -> String {
        URLComponents(string: url)?.path ?? url
    }

    static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: return "'\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))' is missing"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
            return "'\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}

/// A connection's authentication with its secrets in hand (resolved from the
/// repository, the agent or a vault), ready for a client.
public enum ResolvedAuthentication: Sendable {
    case apiKey(Secret)
    case oauth2(clientID: Secret, clientSecret: Secret)
}
