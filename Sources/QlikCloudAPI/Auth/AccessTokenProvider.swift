public import Foundation

/// A bearer credential for one request. Its value is reachable only inside
/// this module, where the Authorization header is written; everywhere else
/// it prints as a mask.
public struct BearerToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String
    public let expiresAt: Date?

    init(value: String, expiresAt: Date?) {
        self.value = value
        self.expiresAt = expiresAt
    }

    var authorization: String { "Bearer \(value)" }
    public var description: String { "Bearer ********" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["expiresAt": expiresAt as Any]) }
}

/// Where a client's bearer tokens come from: an API key as is, or OAuth 2.0
/// client credentials exchanged for short-lived tokens.
public protocol AccessTokenProvider: Sendable {
    var kind: AuthenticationKind { get }
    /// A token valid for at least a little while.
    func token() async throws(QlikAPIError) -> BearerToken
    /// The tenant refused `token` (401): forget it, so the next call gets a fresh one.
    func tokenRejected(_ token: BearerToken) async
}

/// An API key: the same bearer every time; a refusal cannot be mended here.
public struct APIKeyTokenProvider: AccessTokenProvider {
    private let token: BearerToken
    public var kind: AuthenticationKind { .apiKey }

    public init(apiKey: String) {
        token = BearerToken(value: apiKey, expiresAt: nil)
    }

    public func token() async throws(QlikAPIError) -> BearerToken { token }
    public func tokenRejected(_ token: BearerToken) async {}
}
