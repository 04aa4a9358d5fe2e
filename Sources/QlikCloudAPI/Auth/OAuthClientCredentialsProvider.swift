public import Foundation
import NIOCore
import NIOFoundationCompat

/// OAuth 2.0 client credentials: one cached token, refreshed shortly before
/// it expires, with exactly one exchange in flight however many callers
/// wait for it (single-flight, as soto-core's credential providers do).
public actor OAuthClientCredentialsProvider: AccessTokenProvider {
    public nonisolated var kind: AuthenticationKind { .oauth2 }
    private let tokenURL: String
    private let clientID: String
    private let clientSecret: String
    private let transport: any HTTPTransport
    private let retry: RetryPolicy
    private let clock: @Sendable () -> Date
    private var cached: (token: BearerToken, refreshAt: Date)?
    private var inFlight: Task<BearerToken, any Error>?
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
    }

    public func token() async throws(QlikAPIError) -> BearerToken {
        if let cached, clock() < cached.refreshAt { return cached.token }
        let task: Task<BearerToken, any Error>
        if let inFlight {
            task = inFlight
        } else {
            // Unstructured on purpose: the exchange belongs to every waiter, so
            // one caller's cancellation must not fail the others.
            task = Task { try await self.exchange() }
            inFlight = task
        }
        do {
            return try await task.value
        } catch let error as QlikAPIError {
            throw error
        } catch {
            throw QlikAPIError(kind: .unexpectedResponse, operation: QlikAPIError.tokenOperation, message: "The token exchange failed: \(error).")
        }
    }

    public func tokenRejected(_ token: BearerToken) async {
        if cached?.token == token { cached = nil }
    }

    private func exchange() async throws -> BearerToken {
        defer { inFlight = nil }
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
        let now = clock()
        let expiry = decoded.expiry(receivedAt: now)
        // Refresh a tenth of the lifetime early (at most five minutes), so no request goes out with a dying token.
        let margin = min(300, max(0, expiry.timeIntervalSince(now)) / 10)
        let token = BearerToken(value: decoded.accessToken, expiresAt: expiry)
        cached = (token, expiry.addingTimeInterval(-margin))
        return token
    }
}
