import Foundation
import NIOCore
import QlikCloudAPI
import Synchronization
import Testing

/// A transport that answers from a script and records what it was asked.
final class ScriptedTransport: HTTPTransport {
    private let answers: Mutex<[Result<TransportResponse, TransportFailure>]>
    let requests = Mutex<[String]>([])

    init(_ answers: [Result<TransportResponse, TransportFailure>]) { self.answers = Mutex(answers) }

    static func status(_ status: Int, _ headers: [(String, String)] = [], _ body: String = "{}") -> Result<TransportResponse, TransportFailure> {
        .success(TransportResponse(status: status, headers: headers.map { ($0.0, $0.1) }, body: ByteBuffer(string: body)))
    }

    func send(_ request: TransportRequest, maximumBodySize: Int) async throws(TransportFailure) -> TransportResponse {
        requests.withLock { $0.append("\(request.method.rawValue) \(request.url)") }
        let next = answers.withLock { $0.isEmpty ? Self.status(500) : $0.removeFirst() }
        return try next.get()
    }

    func stream(_ request: TransportRequest, into sink: @Sendable (ByteBuffer) async throws -> Void) async throws(TransportFailure) -> TransportResponse {
        try await send(request, maximumBodySize: .max)
    }

    func shutdown() async {}
}

@Suite("Retries: 429 after Retry-After, 5xx and dropped connections with backoff, only when idempotent")
struct RetryPolicyTests {
    final class Waits: Sendable {
        let recorded = Mutex<[Duration]>([])
        var all: [Duration] { recorded.withLock { $0 } }
    }

    static func client(_ transport: ScriptedTransport, waits: Waits, attempts: Int = 5, total: Duration = .seconds(60)) -> QlikCloudClient {
        let retry = RetryPolicy(maximumAttempts: attempts, baseDelay: .milliseconds(100), maximumDelay: .seconds(2), maximumTotalWait: total,
                                sleep: { duration in waits.recorded.withLock { $0.append(duration) } })
        return QlikCloudClient(baseURL: "https://acme.eu.qlikcloud.com", tokens: APIKeyTokenProvider(apiKey: "k"), transport: transport, retry: retry)
    }

    static let me = #"{"id":"u1","tenantId":"t1","name":"Ada"}"#

    @Test("a 429 waits what Retry-After says, then succeeds")
    func retryAfter() async throws {
        let transport = ScriptedTransport([ScriptedTransport.status(429, [("Retry-After", "7")]), ScriptedTransport.status(200, [], Self.me)])
        let waits = Waits()
        let user = try await Self.client(transport, waits: waits).me()
        #expect(user.name == "Ada")
        #expect(waits.all == [.seconds(7)])
    }

    @Test("502, 503, 504 and a dropped connection are retried with growing, jittered waits")
    func backoff() async throws {
        let transport = ScriptedTransport([ScriptedTransport.status(502), ScriptedTransport.status(503), .failure(.connectionClosed), ScriptedTransport.status(504),
                                           ScriptedTransport.status(200, [], Self.me)])
        let waits = Waits()
        _ = try await Self.client(transport, waits: waits).me()
        let all = waits.all
        #expect(all.count == 4)
        // Equal jitter: each wait lies between half and all of 100 ms x 2^n.
        for (index, wait) in all.enumerated() {
            let ceiling = Duration.milliseconds(100) * (1 << index)
            #expect(wait >= ceiling / 2 && wait <= ceiling, "\(wait) for attempt \(index + 1)")
        }
    }

    @Test("retries stop at the attempt limit and at the total wait, and the error says what Qlik answered")
    func bounded() async throws {
        let waits = Waits()
        let transport = ScriptedTransport(Array(repeating: ScriptedTransport.status(503, [], #"{"errors":[{"code":"HTTP-503","title":"Service Unavailable"}],"traceId":"t-1"}"#), count: 10))
        let error = await #expect(throws: QlikAPIError.self) { _ = try await Self.client(transport, waits: waits, attempts: 3).me() }
        #expect(error?.kind == .serverError && error?.status == 503 && error?.traceID == "t-1")
        #expect(transport.requests.withLock { $0.count } == 3 && waits.all.count == 2)
        let patient = ScriptedTransport([ScriptedTransport.status(429, [("Retry-After", "120")])])
        let limited = await #expect(throws: QlikAPIError.self) { _ = try await Self.client(patient, waits: Waits(), total: .seconds(60)).me() }
        #expect(limited?.kind == .rateLimited(retryAfter: .seconds(120)))
        #expect(limited?.description.contains("wait 120 s") == true)
    }

    @Test("a POST that fails with 503 is not repeated on its own; a POST refused with 429 is, as it was not processed")
    func postsAreNotRetried() async throws {
        let transport = ScriptedTransport([ScriptedTransport.status(503)])
        let waits = Waits()
        let client = Self.client(transport, waits: waits)
        await #expect(throws: QlikAPIError.self) { _ = try await client.createReload(appID: "a") }
        #expect(transport.requests.withLock { $0.count } == 1)
        let limited = ScriptedTransport([ScriptedTransport.status(429, [("Retry-After", "1")]),
                                         ScriptedTransport.status(201, [], #"{"id":"r1","appId":"a","status":"QUEUED"}"#)])
        #expect(try await Self.client(limited, waits: waits).createReload(appID: "a").status == .queued)
    }

    @Test("a DNS failure is not retried and says to check the Base URL")
    func unknownHost() async throws {
        let transport = ScriptedTransport([.failure(.unknownHost("acme.ue.qlikcloud.com"))])
        let error = await #expect(throws: QlikAPIError.self) { _ = try await Self.client(transport, waits: Waits()).me() }
        #expect(error?.kind == .transport(.unknownHost("acme.ue.qlikcloud.com")))
        #expect(error?.hint?.contains("region") == true)
        #expect(transport.requests.withLock { $0.count } == 1)
    }
}
