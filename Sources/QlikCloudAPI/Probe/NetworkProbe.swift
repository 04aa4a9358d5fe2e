public import Foundation
import NIOCore
import NIOTLS
import NIOPosix
import NIOSSL
#if canImport(Glibc)
import Glibc
#endif

/// The network steps under a request, checked one by one so a failure names
/// its layer: name resolution, the TCP connection, the TLS handshake and the
/// certificate (with its issuer, when it is not trusted).
public enum NetworkProbe {
    /// The addresses `host` resolves to.
    public static func resolve(host: String, port: Int) async throws(TransportFailure) -> [String] {
        let result: Result<[String], TransportFailure>
        do {
            result = try await NIOThreadPool.singleton.runIfActive { () -> Result<[String], TransportFailure> in
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                let status = getaddrinfo(host, String(port), &hints, &list)
                guard status == 0, let first = list else { return .failure(.unknownHost(host)) }
                defer { freeaddrinfo(list) }
                var addresses: [String] = []
                var cursor: UnsafeMutablePointer<addrinfo>? = first
                while let entry = cursor {
                    var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                    if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                        let address = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                        if !addresses.contains(address) { addresses.append(address) }
                    }
                    cursor = entry.pointee.ai_next
                }
                return .success(addresses)
            }
        } catch {
            throw .other("name resolution could not run: \(error)")
        }
        return try result.get()
    }

    public struct TLSReport: Sendable, Equatable {
        public let protocolVersion: String?
        /// The leaf certificate's subject and issuer common names / organizations.
        public let subject: String
        public let issuer: String
        public let notValidAfter: Date?
    }

    /// Connects over TCP and, for https, completes a TLS handshake with the
    /// same trust as the client. When the certificate is refused, a second
    /// handshake reads the chain anyway, to name its issuer in the message.
    public static func handshake(host: String, port: Int, tls: Bool, settings: TransportSettings) async throws(TransportFailure) -> TLSReport? {
        let configuration = try settings.tlsConfiguration()
        let timeout = settings.connectTimeout
        guard tls else {
            do { try await connect(host: host, port: port, timeout: timeout, ssl: nil) } catch {
                throw AsyncHTTPTransport.failure(error, host: host)
            }
            return nil
        }
        do {
            let context = try NIOSSLContext(configuration: configuration)
            let chain = try await connect(host: host, port: port, timeout: timeout, ssl: (context, false))
            return chain.first.map { report($0) }
        } catch let failure as TransportFailure {
            guard case .tlsHandshake = failure else { throw failure }
            // Read the chain the server presents, trusting it for this look only.
            var lenient = configuration
            lenient.certificateVerification = .none
            guard let context = try? NIOSSLContext(configuration: lenient),
                  let chain = try? await connect(host: host, port: port, timeout: timeout, ssl: (context, true)), let leaf = chain.first else {
                throw failure
            }
            let seen = report(leaf)
            let selfSigned = seen.subject == seen.issuer
            let expired = seen.notValidAfter.map { $0 < Date() } ?? false
            let why = expired ? "the certificate expired" : selfSigned ? "the certificate is self-signed" : "its issuer is not trusted here"
            throw .tlsHandshake(host: host, reason: "\(why) (subject \(seen.subject), issued by \(seen.issuer))")
        } catch {
            throw AsyncHTTPTransport.failure(error, host: host)
        }
    }

    private static func report(_ certificate: NIOSSLCertificate) -> TLSReport {
        func name(_ parts: [SSLCertificateName]) -> String {
            let common = parts.first { $0.type == .commonName }?.value
            let organization = parts.first { $0.type == .organization }?.value
            return [common.map { "CN=\($0)" }, organization.map { "O=\($0)" }].compactMap { $0 }.joined(separator: ", ")
        }
        return TLSReport(protocolVersion: nil, subject: name(certificate.subjectName), issuer: name(certificate.issuerName),
                         notValidAfter: Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter)))
    }

    /// Opens a connection (with TLS when `ssl` is given), returns the peer's chain, and closes it.
    @discardableResult
    private static func connect(host: String, port: Int, timeout: Duration, ssl: (NIOSSLContext, lenient: Bool)?) async throws -> [NIOSSLCertificate] {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let chain = loop.makePromise(of: [NIOSSLCertificate].self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.milliseconds(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let (context, lenient) = ssl else { return }
                    // An IP address cannot be sent as SNI; NIOSSL then checks the certificate against the peer's address.
                    let serverName = (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
                    let handler: NIOSSLClientHandler
                    if lenient {
                        handler = try NIOSSLClientHandler(context: context, serverHostname: serverName) { certificates, promise in
                            chain.succeed(certificates)
                            promise.succeed(.certificateVerified)
                        }
                    } else {
                        handler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                    try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(chain: chain))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            chain.fail(error)
            throw AsyncHTTPTransport.failure(error, host: host)
        }
        guard ssl != nil else {
            chain.succeed([])
            try? await channel.close()
            return []
        }
        channel.closeFuture.whenComplete { _ in chain.fail(TransportFailure.connectionClosed) }
        do {
            let certificates = try await chain.futureResult.get()
            try? await channel.close()
            return certificates
        } catch {
            try? await channel.close()
            throw AsyncHTTPTransport.failure(error, host: host)
        }
    }

    /// Completes the probe when the handshake succeeds (with the peer's certificate) or fails.
    private final class HandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = Any
        let chain: EventLoopPromise<[NIOSSLCertificate]>

        init(chain: EventLoopPromise<[NIOSSLCertificate]>) { self.chain = chain }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSUserEvent.handshakeCompleted = event {
                let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
                chain.succeed(handler?.peerCertificate.map { [$0] } ?? [])
            }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            chain.fail(error)
            context.close(promise: nil)
        }
    }
}
