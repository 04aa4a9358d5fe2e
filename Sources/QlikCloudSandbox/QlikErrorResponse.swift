import Foundation
import Hummingbird

/// An error answered the way Qlik Cloud answers:
/// `{"errors":[{"code","title","detail","status"}],"traceId"}` with the status,
/// and `Retry-After` on 429.
struct QlikErrorResponse: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let title: String
    let detail: String?
    var retryAfterSeconds: Int?

    init(_ status: HTTPResponse.Status, code: String? = nil, title: String, detail: String? = nil, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code ?? "HTTP-\(status.code)"
        self.title = title
        self.detail = detail
        self.retryAfterSeconds = retryAfterSeconds
    }

    static func unauthorized(_ detail: String) -> QlikErrorResponse {
        QlikErrorResponse(.unauthorized, title: "Unauthorized", detail: detail)
    }

    static func badRequest(_ detail: String) -> QlikErrorResponse {
        QlikErrorResponse(.badRequest, title: "Bad Request", detail: detail)
    }

    static func notFound(_ detail: String) -> QlikErrorResponse {
        QlikErrorResponse(.notFound, title: "Not Found", detail: detail)
    }

    private struct Body: Encodable {
        struct Item: Encodable {
            let code: String
            let title: String
            let detail: String?
            let status: String
        }
        let errors: [Item]
        let traceId: String
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        let body = Body(errors: [.init(code: code, title: title, detail: detail, status: String(status.code))], traceId: TraceID.make())
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(body))))
    }
}

enum TraceID {
    static func make() -> String {
        (0..<16).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
    }
}
