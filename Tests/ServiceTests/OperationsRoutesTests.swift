import Foundation
import HummingbirdTesting
import Hummingbird
import Testing
import TestRepositories
@testable import Service

/// The routes every client meets first, one behaviour per test so a failure names it.
@Suite("The service's operations routes: health, tokens, the OpenAPI document, 404 and 405, metrics")
struct OperationsRoutesTests {
    @Test("health answers ok with no token")
    func healthNeedsNoToken() async throws {
        let harness = try await ServiceHarness.make()
        let health = try await harness.withClient { api in try await api.call(.get, "/health", token: nil).object["status"] as? String }
        #expect(health == "ok")
    }

    @Test("an API route without a token is 401")
    func apiNeedsToken() async throws {
        let harness = try await ServiceHarness.make()
        let status = try await harness.withClient { api in try await api.call(.get, "/api/v1/me", token: nil).status }
        #expect(status == .unauthorized)
    }

    @Test("the OpenAPI 3.1 document is served with no token")
    func documentIsServed() async throws {
        let harness = try await ServiceHarness.make()
        let version = try await harness.withClient { api in try await api.call(.get, "/openapi.json", token: nil).object["openapi"] as? String }
        #expect(version == "3.1.0")
    }

    @Test("every operation in the OpenAPI document is routed and answers below 500", arguments: RepositoryBackend.allCases)
    func documentedOperationsAreRouted(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            let document = try await api.call(.get, "/openapi.json", token: nil)
            let paths = try #require(document.object["paths"] as? [String: [String: Any]])
            var routed = 0
            for (path, operations) in paths {
                let concrete = path.replacingOccurrences(of: "{id}", with: UUID().uuidString).replacingOccurrences(of: "{token}", with: UUID().uuidString)
                    .replacingOccurrences(of: "{name}", with: "Nothing%20here")
                for method in operations.keys where ["get", "post", "patch", "delete"].contains(method) {
                    let answer = try await api.call(HTTPRequest.Method(rawValue: method.uppercased()) ?? .get, concrete, token: harness.token("admin"), json: [String: Any]())
                    // A route that exists answers with the API's own JSON (or its content); an unrouted one with a bare 404.
                    #expect(answer.status != .notFound || answer.errorCode == "not_found", "\(method) \(path) is not routed")
                    #expect(answer.status.code < 500, "\(method) \(path) answered \(answer.status)")
                    routed += 1
                }
            }
            #expect(routed >= 20)
        }
    }

    @Test("another method on a documented path is 405 naming the methods it takes in Allow")
    func otherMethodIs405WithAllow() async throws {
        let harness = try await ServiceHarness.make()
        try await harness.withClient { api in
            let put = try await api.call(.put, "/api/v1/connections", token: harness.token("admin"), json: [String: Any]())
            #expect(put.status == .methodNotAllowed && put.headers[.allow] == "GET, POST" && put.errorCode == "method_not_allowed", "\(put.status) \(put.headers) \(put.text)")
            let deleteMe = try await api.call(.delete, "/api/v1/me", token: nil)
            #expect(deleteMe.status == .methodNotAllowed && deleteMe.headers[.allow] == "GET")
            #expect(try await api.call(.post, "/api/v1/connections/Some%20name", token: nil).headers[.allow] == "GET, DELETE, PATCH")
        }
    }

    @Test("an unknown path is 404")
    func unknownPathIs404() async throws {
        let harness = try await ServiceHarness.make()
        let status = try await harness.withClient { api in try await api.call(.get, "/api/v1/nothing-here", token: nil).status }
        #expect(status == .notFound)
    }

    @Test("metrics count requests by method, route pattern and status, never by the path asked", arguments: RepositoryBackend.allCases)
    func metricsLabelledByRoute(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        let metrics = try await harness.withClient { api in
            _ = try await api.call(.get, "/api/v1/me", token: nil)
            _ = try await api.call(.get, "/api/v1/connections/Nothing%20here", token: harness.token("admin"))
            return try await api.call(.get, "/metrics", token: nil).text
        }
        #expect(metrics.contains(#"qlik_connector_http_requests_total{method="GET",route="/api/v1/me",status="401"}"#))
        #expect(metrics.contains(#"route="/api/v1/connections/{name}",status="404""#), "\(metrics)")
        #expect(!metrics.contains("Nothing"), "metrics are labelled by route pattern, never by path")
    }
}
