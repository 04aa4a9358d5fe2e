/// The two ways the seed page lets a connection authenticate, each with
/// exactly its own fields: an API-key connection has no client secret to
/// forget, and an OAuth 2.0 one no access token.
public enum Authentication<Value: Sendable & Hashable>: Sendable, Hashable {
    case apiKey(baseURL: TenantURL, accessToken: Credential<Value>)
    case oauth2(baseURL: TenantURL, clientID: Credential<Value>, clientSecret: Credential<Value>)

    public var type: AuthenticationType {
        switch self {
        case .apiKey: .apiKey
        case .oauth2: .oauth2
        }
    }

    public var baseURL: TenantURL {
        switch self {
        case .apiKey(let url, _), .oauth2(let url, _, _): url
        }
    }

    /// The credential fields with their values, in the order the seed page lists them.
    public var credentials: [(field: ConnectionField, credential: Credential<Value>)] {
        switch self {
        case .apiKey(_, let token): [(.accessToken, token)]
        case .oauth2(_, let id, let secret): [(.clientID, id), (.clientSecret, secret)]
        }
    }

    public func mapValues<Other>(_ transform: (ConnectionField, Value) throws -> Other) rethrows -> Authentication<Other> {
        switch self {
        case .apiKey(let url, let token):
            .apiKey(baseURL: url, accessToken: try token.map { try transform(.accessToken, $0) })
        case .oauth2(let url, let id, let secret):
            .oauth2(
                baseURL: url,
                clientID: try id.map { try transform(.clientID, $0) },
                clientSecret: try secret.map { try transform(.clientSecret, $0) }
            )
        }
    }
}

public enum AuthenticationType: String, Hashable, Sendable, Codable, CaseIterable {
    case apiKey = "api-key"
    case oauth2 = "oauth2"

    public var displayName: String {
        switch self {
        case .apiKey: "API Key"
        case .oauth2: "OAuth 2.0"
        }
    }

    public var credentialFields: [ConnectionField] {
        switch self {
        case .apiKey: [.accessToken]
        case .oauth2: [.clientID, .clientSecret]
        }
    }
}
