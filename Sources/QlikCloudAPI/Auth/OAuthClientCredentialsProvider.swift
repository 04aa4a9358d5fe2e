import Caching
public import Foundation
import NIOCore
import NIOFoundationCompat

/// OAuth 2.0 client credentials: one cached token, refreshed in the background
/// shortly before it expires while callers keep using it, with exactly one
/// exchange in flight however many callers wait for it (an ExpiringValue).
public actor OAuthClientCredentialsProvider: AccessTokenProvider {
    public nonisolated var kind: AuthenticationKind { .oauth2 }
    private let tokenURL: String
    private let clientID: String
    private let clientSecret: String
    private let transport: any HTTPTransport
    private let retry: RetryPolicy
    private let clock: @Sendable () -> Date
    private let cached: ExpiringValue<BearerToken>
    /// How many exchanges this provider has made: what single-flight keeps at one.
    public private(set) var exchanges = 0

    public init(baseURL: String, clientID: String, clientSecret: String, transport: any HTTPTransport, retry: RetryPolicy = .standard,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        tokenURL = baseURL + "/oauth/token"
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.transport = transport
        self.retry = retry
        self.clock = clock
        cached = ExpiringValue(now: clock)
    }

    /// Refresh a tenth of the lifetime early (at most five minutes), so no request goes out with a dying token.
    static let refreshMargin = RefreshMargin(fractionOfLifetime: 0.1, atMost: 300)

    public func token() async throws(QlikAPIError) -> BearerToken {
        do {
            return try await cached.get(refreshingEarly: Self.refreshMargin) { _ in try await self.exchange() }
        } catch {
            throw Self.tokenError(error)
        }
    }

    public func tokenRejected(_ token: BearerToken) async {
        await cached.invalidate(ifCurrent: { $0 == token })
    }

    /// The latest exchange's token, waiting for it while it runs (nil before the first): how a test sees a background refresh land.
    func latestExchange() async throws(QlikAPIError) -> BearerToken? {
        do {
            return try await cached.latestRefresh()
        } catch {
            throw Self.tokenError(error)
        }
    }

    private static func tokenError(_ error: any Error) -> QlikAPIError {
        switch error {
        case let error as QlikAPIError:
            error
        case is CancellationError:
            QlikAPIError(kind: .transport(.other("cancelled")), operation: QlikAPIError.tokenOperation, message: "The request was cancelled while waiting for an OAuth token.")
        default:
            QlikAPIError(kind: .unexpectedResponse, operation: QlikAPIError.tokenOperation, message: "The token exchange failed: \(error).")
        }
    }

    private func exchange() async throws -> (value: BearerToken, expiresAt: Date) {
        exchanges += 1
        var body = ByteBuffer()
        body.writeBytes(try JSONSerialization.data(withJSONObject: [
            "grant_type": "client_credentials", "client_id": clientID, "client_secret": clientSecret, "scope": "user_default",
        ]))
        let request = TransportRequest(method: .post, url: tokenURL, headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                                       body: .bytes(body))
        // Asking for a token twice is harmless, so transient failures are retried like reads.
        let response = try await retry.run(operation: QlikAPIError.tokenOperation, idempotent: true) { () async throws(TransportFailure) in
            try await transport.send(request, maximumBodySize: 1 << 20)
        }
        guard response.status == 200 else {
            throw QlikAPIError.http(status: response.status, body: try? JSONDecoder().decode(QlikErrorBody.self, from: Data(buffer: response.body)),
                                    operation: QlikAPIError.tokenOperation, authentication: .oauth2, retryAfter: RetryPolicy.retryAfter(response))
        }
        let decoded: OAuthTokenResponse
        do {
            decoded = try JSONDecoder().decode(OAuthTokenResponse.self, from: Data(buffer: response.body))
        } catch {
            throw QlikAPIError(kind: .unexpectedResponse, operation: QlikAPIError.tokenOperation, status: response.status,
                               message: "The token answer has no access_token.")
        }
        let expiry = decoded.expiry(receivedAt: clock())
        return (BearerToken(value: decoded.accessToken, expiresAt: expiry), expiry)
    }
}
