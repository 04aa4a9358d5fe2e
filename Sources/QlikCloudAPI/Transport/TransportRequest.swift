import Foundation
public import NIOCore

/// One HTTP exchange as the client asks for it, independent of the HTTP library.
public struct TransportRequest: Sendable {
    public enum Method: String, Sendable { case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE" }

    public enum Body: Sendable {
        case none
        case bytes(ByteBuffer)
        /// Made anew for every attempt, so a retried upload sends its bytes again from the start.
        case stream(length: Int64?, make: @Sendable () -> UploadChunks)
    }

    public var method: Method
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Body

    public init(method: Method, url: String, headers: [(name: String, value: String)] = [], body: Body = .none) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// Safe to send twice: what the retry policy may repeat on its own.
    public var isIdempotent: Bool { method != .post && method != .patch }
}

/// The answer: status, headers, and the body collected (JSON answers are small)
/// unless the request asked for it to be streamed to a sink.
public struct TransportResponse: Sendable {
    public let status: Int
    public let headers: [(name: String, value: String)]
    public let body: ByteBuffer

    public init(status: Int, headers: [(name: String, value: String)], body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Moves requests to a tenant. ``AsyncHTTPTransport`` is the real one.
public protocol HTTPTransport: Sendable {
    /// Sends a request and collects at most `maximumBodySize` bytes of its answer.
    func send(_ request: TransportRequest, maximumBodySize: Int) async throws(TransportFailure) -> TransportResponse
    /// Sends a request and hands the answer's body to `sink` piece by piece; returns status and headers.
    func stream(_ request: TransportRequest, into sink: @Sendable (ByteBuffer) async throws -> Void) async throws(TransportFailure) -> TransportResponse
    func shutdown() async
}
