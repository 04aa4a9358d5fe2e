public import Foundation
import NIOCore
import NIOTLS
import NIOPosix
import NIOSSL
/// The network steps under a request, checked one by one so a failure names
/// its layer: the TCP connection, the TLS handshake and the certificate (with
/// its issuer, when it is not trusted). Name resolution is the host check's.
public enum NetworkProbe {
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
    /// Connects to the host's address in `settings.pinnedAddresses` when it has one (the certificate is still checked for `host`).
    public static func handshake(host: String, port: Int, tls: Bool, settings: TransportSettings) async throws(TransportFailure) -> TLSReport? {
        let configuration = try settings.tlsConfiguration()
        let timeout = settings.connectTimeout
        let address = settings.pinnedAddresses[host]
        guard tls else {
            do { try await connect(host: host, address: address, port: port, timeout: timeout, ssl: nil) } catch {
                throw AsyncHTTPTransport.failure(error, host: host)
            }
            return nil
        }
        do {
            let context = try NIOSSLContext(configuration: configuration)
            let chain = try await connect(host: host, address: address, port: port, timeout: timeout, ssl: (context, false))
            return chain.first.map { report($0) }
        } catch let failure as TransportFailure {
            guard case .tlsHandshake = failure else { throw failure }
            // Read the chain the server presents, trusting it for this look only.
            var lenient = configuration
            lenient.certificateVerification = .none
            guard let context = try? NIOSSLContext(configuration: lenient),
                  let chain = try? await connect(host: host, address: address, port: port, timeout: timeout, ssl: (context, true)), let leaf = chain.first else {
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

    /// Opens a connection (with TLS when `ssl` is given) to `address`, or to `host` resolved when nil, returns the peer's chain, and closes it.
    @discardableResult
    private static func connect(host: String, address: String?, port: Int, timeout: Duration,
                                ssl: (NIOSSLContext, lenient: Bool)?) async throws -> [NIOSSLCertificate] {
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
            channel = try await bootstrap.connect(host: address ?? host, port: port).get()
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
