import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// The engine's WebSocket at /app/{appId}: the upgrade needs the same
/// bearer token as REST, then JSON-RPC messages flow through an ``EngineConversation``.
struct EngineRoutes {
    let tenant: Tenant
    /// Fault injection: close the socket after sending this many messages.
    var dropAfterMessages: Int?
    /// Fault injection: each message sent this long after it is ready (see ``SandboxFaults/engineMessageLatency``).
    var messageLatency: Duration = .zero

    func router() -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("/app/:appId") { request, context in
            let user = try await authenticate(request)
            let appID = try context.parameters.require("appId")
            // A session app's socket names an app that does not exist yet: CreateSessionApp makes it.
            // An app the caller does not see (ContentAccess) is answered as one that does not exist.
            let exists = await tenant.visibleApp(appID, toUserID: user.id) != nil
            guard appID.hasPrefix("SessionApp_") || exists else {
                throw QlikErrorResponse.notFound("No app with id \(appID).")
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let user = try await authenticate(context.request)
            let appID = try context.requestContext.parameters.require("appId")
            // Fault injection: 0 closes the socket at the upgrade, before OnConnected.
            if dropAfterMessages == 0 { return }
            var session = EngineConversation(tenant: tenant, appID: appID, userID: user.id)
            if messageLatency > .zero {
                try await answerLate(inbound: inbound, outbound: outbound, session: &session)
                return
            }
            var sent = 0
            func send(_ object: [String: Any]) async throws -> Bool {
                // The reply's buffer is the frame's payload: no String in between.
                try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: JSONWriter.serializeToBuffer(object))))
                sent += 1
                return dropAfterMessages.map { sent < $0 } ?? true
            }
            guard try await send(EngineConversation.onConnected) else { return }
            for try await message in inbound.messages(maxSize: 16 << 20) {
                guard case .text(let text) = message else { continue }
                let request: [String: Any]
                switch Self.incoming(text) {
                case .request(let object): request = object
                case .refused(let answer):
                    guard try await send(answer) else { return }
                    continue
                }
                if let reply = await session.handle(request) {
                    // Returning closes the socket: the dropped connection the fault settings ask for.
                    guard try await send(reply) else { return }
                }
            }
        }
        return router
    }

    /// The session's loop with every message sent `messageLatency` after it is ready, by a sender beside the reader,
    /// so the delay is a network's: it does not hold up the next request.
    private func answerLate(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, session: inout EngineConversation) async throws {
        let (queue, feed) = AsyncStream.makeStream(of: (due: ContinuousClock.Instant, frame: ByteBuffer).self)
        let latency = messageLatency, dropAfter = dropAfterMessages
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var sent = 0
                for await message in queue {
                    try await Task.sleep(until: message.due, clock: .continuous)
                    try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: message.frame)))
                    sent += 1
                    if let dropAfter, sent >= dropAfter { break }
                }
            }
            feed.yield((.now + latency, JSONWriter.serializeToBuffer(EngineConversation.onConnected)))
            for try await message in inbound.messages(maxSize: 16 << 20) {
                guard case .text(let text) = message else { continue }
                let request: [String: Any]
                switch Self.incoming(text) {
                case .request(let object): request = object
                case .refused(let answer):
                    feed.yield((.now + latency, JSONWriter.serializeToBuffer(answer)))
                    continue
                }
                if let reply = await session.handle(request) { feed.yield((.now + latency, JSONWriter.serializeToBuffer(reply))) }
            }
            feed.finish()
            try await group.waitForAll()
        }
    }

    /// A text message as the engine takes it: one JSON-RPC request object, or the error answer for anything else
    /// (-32700 for text that is not JSON, -32600 for JSON that is not one request object: a batch array, a bare value).
    enum Incoming {
        case request([String: Any])
        case refused([String: Any])
    }

    static func incoming(_ text: String) -> Incoming {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
            return .refused(["jsonrpc": "2.0", "id": NSNull(), "error": ["code": -32700, "parameter": "", "message": "Parse error: the message is not JSON"]])
        }
        guard let request = parsed as? [String: Any] else {
            return .refused(["jsonrpc": "2.0", "id": NSNull(),
                             "error": ["code": -32600, "parameter": "", "message": "Invalid Request: a message must be one JSON-RPC request object"]])
        }
        return .request(request)
    }

    private func authenticate(_ request: Request) async throws -> SandboxUser {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "), header.count > 7 else {
            throw QlikErrorResponse.unauthorized("The engine upgrade needs 'Authorization: Bearer <token>'.")
        }
        return try await tenant.authenticate(bearer: String(header.dropFirst(7)))
    }
}
