import Foundation
import HummingbirdWSClient
import NIOCore

/// The state of one engine socket: requests waiting for their answers by id,
/// and whether `OnConnected` has arrived. Frames come in from the socket's
/// reader; calls go out from any task.
actor EngineConnection {
    /// Writes one text frame: the socket's writer, or a test's fake engine.
    private var outbound: (@Sendable (String) async throws -> Void)?
    private var pending: [Int: CheckedContinuation<ByteBuffer, any Error>] = [:]
    /// Requests written but not yet waiting: an answer that beats its caller back is kept here.
    private var sent: Set<Int> = []
    private var early: [Int: ByteBuffer] = [:]
    private var nextID = 1
    private var connected = false
    private var connectedWaiters: [CheckedContinuation<Void, any Error>] = []
    private var ended: EngineError?

    func attach(_ writer: WebSocketOutboundWriter) { outbound = { try await writer.write(.text($0)) } }

    /// Sends requests through `send` instead of a socket: how tests stand in for the engine.
    func attach(send: @escaping @Sendable (String) async throws -> Void) { outbound = send }

    /// Routes one complete message: an answer to its caller, `OnConnected` to the waiters.
    func deliver(_ message: ByteBuffer) {
        let route: (id: Int?, method: String?)
        do {
            route = try message.withUnsafeReadableBytes { try EngineMessage.route($0) }
        } catch {
            // A message that cannot be routed may be someone's answer: end the session rather than leave a caller waiting.
            end(.malformed("a message from the engine is not JSON-RPC (\(error))"))
            return
        }
        if let id = route.id {
            if let waiting = pending.removeValue(forKey: id) {
                waiting.resume(returning: message)
            } else if sent.contains(id) {
                early[id] = message
            }
            sent.remove(id)
        } else if route.method == "OnConnected" {
            connected = true
            connectedWaiters.forEach { $0.resume() }
            connectedWaiters.removeAll()
        }
        // Other notifications (OnAuthenticationInformation, OnMaxParallelSessionsExceeded) need no answer here.
    }

    /// The socket is gone: every waiting request fails with `reason`.
    func end(_ reason: EngineError) {
        guard ended == nil else { return }
        ended = reason
        outbound = nil
        pending.values.forEach { $0.resume(throwing: reason) }
        pending.removeAll()
        connectedWaiters.forEach { $0.resume(throwing: reason) }
        connectedWaiters.removeAll()
    }

    func waitUntilConnected() async throws {
        if connected { return }
        if let ended { throw ended }
        try await withCheckedThrowingContinuation { connectedWaiters.append($0) }
    }

    /// Sends a request and waits for the answer with its id; `params` is JSON text.
    func call(method: String, handle: Int, params: String) async throws(EngineError) -> ByteBuffer {
        if let ended { throw ended }
        guard let outbound else { throw .connectionLost("the socket is not open") }
        let id = nextID
        nextID += 1
        sent.insert(id)
        do {
            try await outbound(#"{"jsonrpc":"2.0","id":\#(id),"handle":\#(handle),"method":"\#(method)","params":\#(params)}"#)
        } catch {
            sent.remove(id)
            throw ended ?? .connectionLost("sending \(method) failed: \(error)")
        }
        if let answer = early.removeValue(forKey: id) { return answer }
        if let ended {
            sent.remove(id)
            throw ended
        }
        do {
            return try await withCheckedThrowingContinuation { pending[id] = $0 }
        } catch let error as EngineError {
            throw error
        } catch {
            throw .connectionLost("\(error)")
        }
    }
}
