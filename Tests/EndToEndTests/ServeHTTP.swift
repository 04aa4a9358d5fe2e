import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestCommandLine

/// HTTP calls to a `serve` started by a ``CommandLineHarness``, with a personal API token.
struct ServeHTTP: Sendable {
    struct Answer: Sendable {
        let status: Int
        let body: String
        let replayed: Bool
        var errorCode: String? {
            ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]).flatMap { ($0["error"] as? [String: Any])?["code"] as? String }
        }
    }

    let port: Int
    let token: String
    /// Many requests at once, as a busy client sends them.
    let session: URLSession

    init(port: Int, token: String) {
        self.port = port
        self.token = token
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 64
        configuration.timeoutIntervalForRequest = 60
        session = URLSession(configuration: configuration)
    }

    /// The port a `serve --port 0` announced on its first line.
    static func port(of server: CommandLineHarness.Server) async throws -> Int {
        let banner = try #require(await server.nextLine(), "serve printed nothing")
        return try #require(banner.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) }, "\(banner)")
    }

    func call(_ method: String, _ path: String, json: String? = nil, idempotencyKey: String? = nil) async throws -> Answer {
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let idempotencyKey { request.setValue(idempotencyKey, forHTTPHeaderField: "Idempotency-Key") }
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(json.utf8)
        }
        let (data, response) = try await session.data(for: request)
        let http = response as? HTTPURLResponse
        return Answer(status: http?.statusCode ?? 0, body: String(decoding: data, as: UTF8.self),
                      replayed: http?.value(forHTTPHeaderField: "Idempotent-Replayed") == "true")
    }
}
