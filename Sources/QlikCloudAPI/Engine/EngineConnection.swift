import Foundation
import HummingbirdWSClient
import NIOCore

/// The state of one engine socket: requests waiting for their answers by id,
/// and whether `OnConnected` has arrived. Frames come in from the socket's
/// reader; calls go out from any task. Every wait ends: with its answer, when the
/// session ends (``end(_:)`` fails them all), or at its deadline (``expire(at:)``).
actor EngineConnection {
    /// Named in deadline errors.
    private let host: String
    /// How long a call may wait for its answer; nil: as long as the socket stays open.
    private let callTimeout: Duration?
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
    /// When a call waiting for its answer gives up, with what it was, for the error.
    private var deadlines: [Int: (at: ContinuousClock.Instant, method: String)] = [:]
    /// When the session must be connected (upgrade done and `OnConnected` in); nil once it is.
    private var connectBy: (at: ContinuousClock.Instant, timeout: Duration)?

    init(host: String = "the tenant", callTimeout: Duration? = nil, connectTimeout: Duration? = nil) {
        self.host = host
        self.callTimeout = callTimeout
        connectBy = connectTimeout.map { (.now + $0, $0) }
    }

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
                if callTimeout != nil { deadlines.removeValue(forKey: id) }
                waiting.resume(returning: message)
            } else if sent.contains(id) {
                early[id] = message
            }
            sent.remove(id)
        } else if route.method == "OnConnected" {
            connected = true
            connectBy = nil
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
        deadlines.removeAll()
        connectedWaiters.forEach { $0.resume(throwing: reason) }
        connectedWaiters.removeAll()
    }

    /// Fails the calls whose deadline has passed, and the whole session when it is not connected by its deadline.
    /// Returns false once the session has ended: nothing is left to watch.
    func expire(at now: ContinuousClock.Instant) -> Bool {
        if ended != nil { return false }
        if let connectBy, now >= connectBy.at {
            let stage = outbound == nil ? "the WebSocket upgrade did not complete" : "the socket opened but Qlik's OnConnected message did not arrive"
            end(.timeout("no engine session with \(host) within \(Self.seconds(connectBy.timeout)): \(stage). "
                    + "Check that the tenant is reachable and that no proxy or firewall holds WebSocket upgrades to /app/*, then retry"))
            return false
        }
        guard let callTimeout else { return true }
        for (id, deadline) in deadlines where now >= deadline.at {
            deadlines.removeValue(forKey: id)
            sent.remove(id)
            pending.removeValue(forKey: id)?.resume(throwing: EngineError.timeout(
                "\(deadline.method) had no answer from \(host) within \(Self.seconds(callTimeout)) (the per-call deadline). The tenant may be "
                    + "overloaded or the session dropped silently: retry, or raise \(EngineSession.callTimeoutVariable) (seconds)"))
        }
        return true
    }

    static func seconds(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }

    /// Calls waiting for their answer.
    var waitingCount: Int { pending.count }

    func waitUntilConnected() async throws {
        if connected { return }
        if let ended { throw ended }
        try await withCheckedThrowingContinuation { connectedWaiters.append($0) }
    }

    /// Sends a request and waits for the answer with its id; `params` is JSON text. `timed`: the call
    /// gives up after the session's per-call deadline (a reload, which runs as long as its script, is not).
    func call(method: String, handle: Int, params: String, timed: Bool = true) async throws(EngineError) -> ByteBuffer {
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
        if timed, let callTimeout { deadlines[id] = (.now + callTimeout, method) }
        do {
            return try await withCheckedThrowingContinuation { pending[id] = $0 }
        } catch let error as EngineError {
            throw error
        } catch {
            throw .connectionLost("\(error)")
        }
    }
}
