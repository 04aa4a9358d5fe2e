import AsyncHTTPClient
import Foundation
public import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The transport on AsyncHTTPClient: TLS verification always on for https,
/// an optional extra CA bundle, the environment's proxy (chosen once for the
/// tenant's host, honouring NO_PROXY), connect and read timeouts.
public final class AsyncHTTPTransport: HTTPTransport {
    private let client: HTTPClient
    private let userAgent: String
    public let proxy: ProxyEnvironment.Server?

    /// A transport for one tenant host (the proxy decision depends on it).
    public init(host: String, scheme: String, settings: TransportSettings) throws(TransportFailure) {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try settings.tlsConfiguration()
        configuration.timeout = .init(connect: .milliseconds(settings.connectTimeout.milliseconds), read: .milliseconds(settings.readTimeout.milliseconds))
        // Our retry policy decides what is retried; the pool must report the first failure as it is.
        configuration.connectionPool.retryConnectionEstablishment = false
        // Bursts (listing, reading in parallel) get more than AsyncHTTPClient's eight connections to the one tenant host.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        configuration.redirectConfiguration = .disallow
        proxy = try settings.proxies.proxy(forHost: host, scheme: scheme)
        if let proxy {
            let authorization = proxy.credentials.map { HTTPClient.Authorization.basic(credentials: Data($0.utf8).base64EncodedString()) }
            configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
        } else {
            // Each new connection goes to the checked address; SNI, Host and the certificate check keep the name.
            configuration.dnsOverride = settings.pinnedAddresses
        }
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        userAgent = settings.userAgent
    }

    public func send(_ request: TransportRequest, maximumBodySize: Int) async throws(TransportFailure) -> TransportResponse {
        let response = try await execute(request)
        do {
            let body = try await response.body.collect(upTo: maximumBodySize)
            return TransportResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: body)
        } catch is NIOTooManyBytesError {
            throw .bodyTooLarge(limit: maximumBodySize)
        } catch {
            throw Self.failure(error, host: request.hostForMessages)
        }
    }

    public func stream(_ request: TransportRequest, into sink: @Sendable (ByteBuffer) async throws -> Void) async throws(TransportFailure) -> TransportResponse {
        let response = try await execute(request)
        let head = TransportResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: ByteBuffer())
        guard (200..<300).contains(head.status) else {
            // Error answers are small JSON: collect them for the caller to decode.
            do {
                return TransportResponse(status: head.status, headers: head.headers, body: try await response.body.collect(upTo: 1 << 20))
            } catch { throw Self.failure(error, host: request.hostForMessages) }
        }
        var iterator = response.body.makeAsyncIterator()
        while true {
            let chunk: ByteBuffer?
            do { chunk = try await iterator.next() } catch { throw Self.failure(error, host: request.hostForMessages) }
            guard let chunk else { break }
            do { try await sink(chunk) } catch { throw .sinkFailed("\(error)") }
        }
        return head
    }

    private func execute(_ request: TransportRequest) async throws(TransportFailure) -> HTTPClientResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        outgoing.headers.add(name: "User-Agent", value: userAgent)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        switch request.body {
        case .none: break
        case .bytes(let buffer): outgoing.body = .bytes(buffer)
        case .stream(let length, let make):
            outgoing.body = .stream(make(), length: length.map { .known($0) } ?? .unknown)
        }
        do {
            return try await client.execute(outgoing, timeout: .hours(24))
        } catch {
            throw Self.failure(error, host: request.hostForMessages)
        }
    }

    public func shutdown() async {
        // Shutting down twice is the only failure, and is harmless.
        do { try await client.shutdown() } catch { return }
    }

    /// AsyncHTTPClient's and NIO's errors as a user reads them.
    static func failure(_ error: any Error, host: String) -> TransportFailure {
        if let failure = error as? TransportFailure { return failure }
        if let connection = error as? NIOConnectionError {
            if connection.dnsAError != nil || connection.dnsAAAAError != nil, connection.connectionErrors.isEmpty {
                return .unknownHost(connection.host)
            }
            if let first = connection.connectionErrors.first?.error as? IOError, first.errnoCode == ECONNREFUSED {
                return .connectionRefused(host: connection.host, port: connection.port)
            }
            return .other("cannot connect to \(connection.host):\(connection.port): \(connection.connectionErrors.map { "\($0.error)" }.joined(separator: "; "))")
        }
        if error is SocketAddressError { return .unknownHost(host) }
        if let ssl = error as? NIOSSLExtraError, ssl == .failedToValidateHostname { return .tlsHostnameMismatch(host: host) }
        if let ssl = error as? NIOSSLError {
            switch ssl {
            case .handshakeFailed(let reason): return .tlsHandshake(host: host, reason: "\(reason)")
            case .uncleanShutdown: return .connectionClosed
            default: return .tlsHandshake(host: host, reason: "\(ssl)")
            }
        }
        if let http = error as? HTTPClientError {
            switch http {
            // A request that waited too long for a free connection of the pool is worth another try, as a slow connect is.
            case .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout: return .connectTimeout(host: host)
            case .readTimeout, .deadlineExceeded: return .readTimeout
            case .remoteConnectionClosed: return .connectionClosed
            case .httpProxyHandshakeTimeout: return .proxy("the proxy did not answer the CONNECT request in time")
            case .proxyAuthenticationRequired: return .proxy("the proxy asks for credentials (407); put them in HTTPS_PROXY as http://user:password@host:port")
            case .invalidProxyResponse: return .proxy("the proxy refused to open a tunnel to \(host)")
            case .invalidURL, .emptyHost, .emptyScheme: return .invalidURL(host)
            default: return .other(http.shortDescription)
            }
        }
        if let channel = error as? ChannelError {
            if case .connectTimeout = channel { return .connectTimeout(host: host) }
            if channel == .ioOnClosedChannel || channel == .eof { return .connectionClosed }
        }
        if let io = error as? IOError, io.errnoCode == ECONNRESET || io.errnoCode == EPIPE { return .connectionClosed }
        return .other("\(error)")
    }
}

extension TransportRequest {
    /// The host part of the URL, for error messages (never the query, which could hold a token).
    var hostForMessages: String {
        URLComponents(string: url)?.host ?? "the tenant"
    }
}
