import Foundation
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Announces the sandbox once its port is bound, after one request to that
/// port has been served alone.
///
/// Why: the first connections build the server pipeline's generic type
/// metadata. When two arrive at once on two event-loop threads (a client's
/// TCP probe and its first request do), Swift 6.3's runtime was seen to crash
/// building the same metadata on both (signal 11 in
/// `swift_conformsToProtocol`). One connection served first leaves that
/// metadata built, so later connections only read it. It runs as a service
/// beside the server because the server accepts nothing until its
/// `onServerRunning` returns.
struct ServerWarmUp: Service {
    let host: String
    let tls: Bool
    let boundPorts: AsyncStream<Int>
    let onReady: @Sendable (Int) async -> Void

    func run() async throws {
        // Qlik's engine schema is read here, before the first client, not during its first engine call; an executable
        // copied without its resources still serves, and says what it cannot check.
        if case .failure(let error) = EngineSchema.shared {
            FileHandle.standardError.write(Data("qlik-cloud-sandbox: engine requests and answers are not checked against Qlik's schema: \(error.description)\n".utf8))
        }
        await cancelWhenGracefulShutdown {
            for await port in boundPorts {
                do {
                    try await request(port: port)
                } catch {
                    // The tenant still serves; only the guard against the runtime's first-connection race is missing.
                    FileHandle.standardError.write(Data("qlik-cloud-sandbox: the warm-up request to port \(port) failed: \(error)\n".utf8))
                }
                await onReady(port)
            }
        }
    }

    private func request(port: Int) async throws {
        // A wildcard address is listened on, not connected to.
        let target = host == "0.0.0.0" ? "127.0.0.1" : (host == "::" ? "::1" : host)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: target, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        try await channel.executeThenClose { inbound, outbound in
            // Over TLS the connection's setup is the part that matters; plain bytes would only fail the handshake.
            guard !tls else { return }
            try await outbound.write(ByteBuffer(string: "GET /api/v1/users/me HTTP/1.1\r\nHost: \(target):\(port)\r\nConnection: close\r\n\r\n"))
            for try await _ in inbound {}
        }
    }
}
