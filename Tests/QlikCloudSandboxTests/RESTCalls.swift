import Foundation
import Hummingbird
import HummingbirdTesting
@testable import QlikCloudSandbox

/// One REST call and its answer, for the REST resource tests.
struct RESTAnswer {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: ByteBuffer

    /// The body as a JSON object.
    func object() throws -> [String: Any] { try Wire.json(body) }

    /// `data` of a list answer.
    func data() throws -> [[String: Any]] {
        guard let data = try object()["data"] as? [[String: Any]] else { throw Wire.Failure("no data array in \(String(buffer: body))") }
        return data
    }

    /// `links.next.href` as a path and query to call next, if there is a next page.
    func next() throws -> String? {
        guard let href = ((try object()["links"] as? [String: Any])?["next"] as? [String: Any])?["href"] as? String,
              let url = URL(string: href) else { return nil }
        return url.path + (url.query.map { "?" + $0 } ?? "")
    }
}

extension TestClientProtocol {
    func call(_ method: HTTPRequest.Method, _ uri: String, key: String, json: String? = nil) async throws -> RESTAnswer {
        var headers = Wire.bearer(key)
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
            RESTAnswer(status: response.status, headers: response.headers, body: response.body)
        }
    }

    /// Every item of a list, following `links.next` page by page; also how many pages it took.
    func collect(_ uri: String, key: String) async throws -> (items: [[String: Any]], pages: Int) {
        var items: [[String: Any]] = [], pages = 0
        var next: String? = uri
        while let current = next {
            let answer = try await call(.get, current, key: key)
            guard answer.status == .ok else { throw Wire.Failure("\(current) answered \(answer.status): \(String(buffer: answer.body))") }
            items += try answer.data()
            pages += 1
            next = try answer.next()
        }
        return (items, pages)
    }
}

extension String {
    /// Percent-encoded for one path segment or query value (a QRI, say).
    var segment: String { addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? self }
}
