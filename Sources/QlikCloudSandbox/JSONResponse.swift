import Foundation
import Hummingbird

/// JSON bodies as Qlik writes them: ISO 8601 times with milliseconds.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        return encoder
    }()

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int = 1 << 20) async throws -> T {
        let buffer = try await request.body.collect(upTo: limit)
        do {
            return try JSONDecoder().decode(type, from: Data(buffer: buffer))
        } catch {
            throw QlikErrorResponse.badRequest("The request body is not the JSON this endpoint takes: \(error)")
        }
    }
}

/// `{"href": "<absolute URL>"}`
struct Link: Encodable, Sendable {
    let href: String
}

/// Where the tenant is reachable, for the absolute URLs in `links`.
struct BaseURL: Sendable {
    let scheme: String

    func origin(of request: Request) -> String {
        let host = request.head.authority ?? "127.0.0.1"
        return "\(scheme)://\(host)"
    }
}
