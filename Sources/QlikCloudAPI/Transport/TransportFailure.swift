/// Why a request did not get an HTTP answer, in terms a person can act on.
/// Carries no header or body, so no credential can travel in it.
public enum TransportFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case unknownHost(String)
    case connectionRefused(host: String, port: Int)
    case connectTimeout(host: String)
    /// The TLS handshake failed; `reason` is the TLS library's own words.
    case tlsHandshake(host: String, reason: String)
    case tlsHostnameMismatch(host: String)
    case readTimeout
    /// The server or a middlebox closed the connection before the answer was complete.
    case connectionClosed
    case proxy(String)
    case bodyTooLarge(limit: Int)
    case sinkFailed(String)
    case other(String)

    public var description: String {
        switch self {
        case .invalidURL(let url): "'\(url)' is not a URL this client can use"
        case .unknownHost(let host): "the host name \(host) does not resolve (DNS)"
        case .connectionRefused(let host, let port): "\(host):\(port) refused the connection"
        case .connectTimeout(let host): "connecting to \(host) timed out"
        case .tlsHandshake(let host, let reason): "the TLS handshake with \(host) failed: \(reason)"
        case .tlsHostnameMismatch(let host): "the certificate presented by \(host) is not valid for that name"
        case .readTimeout: "the tenant stopped answering (read timeout)"
        case .connectionClosed: "the connection was closed before the answer was complete"
        case .proxy(let reason): "the proxy refused or failed the tunnel: \(reason)"
        case .bodyTooLarge(let limit): "the answer is larger than \(limit) bytes"
        case .sinkFailed(let reason): "writing the answer failed: \(reason)"
        case .other(let reason): reason
        }
    }

    /// Failures after which the same idempotent request may well succeed.
    public var isTransient: Bool {
        switch self {
        case .connectionClosed, .readTimeout, .connectTimeout: true
        default: false
        }
    }
}
