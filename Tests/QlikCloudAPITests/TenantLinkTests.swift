import Foundation
import Hummingbird
import Logging
import NIOCore
@testable import QlikCloudAPI
import Synchronization
import Testing
import TestTenants

/// A loopback listener that records every request it gets (path, query, whether a bearer came with it) and answers
/// a Qlik list page: page 2 (no next link) when the query asks for it, else page 1 with the next link `nextLink` builds.
final class RecordingListener: Sendable {
    let requests = Mutex<[String]>([])
    let nextLink = Mutex<String?>(nil)

    var received: [String] { requests.withLock { $0 } }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("**") { request, _ -> Response in
            let bearer = request.headers[.authorization]?.hasPrefix("Bearer ") == true ? " (bearer)" : ""
            self.requests.withLock { $0.append("\(request.uri.path)?\(request.uri.query ?? "")\(bearer)") }
            let secondPage = request.uri.query?.contains("page=2") == true
            var page: [String: Any] = ["data": [["id": secondPage ? "s2" : "s1", "name": secondPage ? "Second" : "First", "type": "shared"]]]
            if !secondPage, let next = self.nextLink.withLock({ $0 }) { page["links"] = ["next": ["href": next]] }
            let data = (try? JSONSerialization.data(withJSONObject: page)) ?? Data()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return router
    }

    /// Serves on a free loopback port for the duration of `body`, which gets the port.
    func withRunning<T: Sendable>(_ body: @escaping @Sendable (Int) async throws -> T) async throws -> T {
        let (ports, ready) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "recording-listener")
        // Hummingbird reports its cancelled child channels at shutdown as errors; the listener's record is what the tests read.
        logger.logLevel = .critical
        let app = Application(router: router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { ready.yield($0.localAddress?.port ?? 0) }, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await app.runService(); return nil }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw TestFailure("The listener stopped before it was ready.") }
            do {
                let result = try await body(port)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}

/// Next links that lead away from the tenant at http://127.0.0.1:<tenant port>, the other listener being at <other port>.
enum ElsewhereLink: String, CaseIterable, Sendable {
    case anotherPort = "another port"
    case anotherScheme = "another scheme"
    case anotherHost = "another host"
    case userInfoSpellingTheBaseURL = "user-info spelling the Base URL"
    case relativeClimbingOut = "a relative link climbing out"
    case percentEncodedClimbingOut = "an absolute link climbing out, percent-encoded"

    func href(tenant: Int, other: Int) -> String {
        switch self {
        case .anotherPort: "http://127.0.0.1:\(other)/api/v1/spaces?page=2"
        case .anotherScheme: "https://127.0.0.1:\(tenant)/api/v1/spaces?page=2"
        case .anotherHost: "http://localhost:\(other)/api/v1/spaces?page=2"
        case .userInfoSpellingTheBaseURL: "http://127.0.0.1:\(tenant)@127.0.0.1:\(other)/api/v1/spaces?page=2"
        case .relativeClimbingOut: "../../api/v1/spaces?page=2"
        case .percentEncodedClimbingOut: "http://127.0.0.1:\(tenant)/%2e%2e/api/v1/spaces?page=2"
        }
    }
}

@Suite("Links the tenant hands back are followed only on the Base URL's own origin and path")
struct TenantLinkTests {
    /// A tenant on one loopback port and another listener beside it; the client pages through the tenant's spaces.
    static func page(nextLink: @escaping @Sendable (_ tenantPort: Int, _ otherPort: Int) -> String, basePath: String = "")
        async throws -> (result: Result<[String], QlikAPIError>, tenant: [String], other: [String]) {
        let tenant = RecordingListener(), other = RecordingListener()
        return try await tenant.withRunning { tenantPort in
            try await other.withRunning { otherPort in
                tenant.nextLink.withLock { $0 = nextLink(tenantPort, otherPort) }
                let transport = try AsyncHTTPTransport(host: "127.0.0.1", scheme: "http", settings: directSettings)
                let client = QlikCloudClient(baseURL: "http://127.0.0.1:\(tenantPort)\(basePath)", tokens: APIKeyTokenProvider(apiKey: "planted-api-key"),
                                             transport: transport, retry: .none, settings: directSettings)
                let result: Result<[String], QlikAPIError>
                do throws(QlikAPIError) {
                    result = .success(try await client.spaces(limit: 1).collect().map(\.name))
                } catch {
                    result = .failure(error)
                }
                await client.shutdown()
                return (result, tenant.received, other.received)
            }
        }
    }

    @Test("a next link to another port, another scheme, another host, with user-info naming the Base URL, or climbing out with '..': nothing is requested there, and the error says the tenant handed back a link outside it",
          arguments: ElsewhereLink.allCases)
    func refused(_ link: ElsewhereLink) async throws {
        let kind = link.rawValue
        let (result, tenant, other) = try await Self.page(nextLink: { link.href(tenant: $0, other: $1) })
        #expect(other.isEmpty, "\(kind): the other listener got \(other)")
        #expect(tenant.count == 1 && tenant.first?.hasPrefix("/api/v1/spaces?limit=1") == true, "\(kind): the tenant got \(tenant)")
        guard case .failure(let error) = result else {
            Issue.record("\(kind): the list was read as \(result)")
            return
        }
        #expect(error.operation == "GET /api/v1/spaces (next page)")
        #expect(error.message.hasPrefix("The tenant handed back a link"), "\(kind): \(error.message)")
        #expect(!error.description.contains("planted-api-key"))
    }

    @Test("the message for another origin names that origin from the link, and what is followed instead")
    func namesOrigin() async throws {
        let (result, _, other) = try await Self.page(nextLink: { _, other in "http://127.0.0.1:\(other)/api/v1/spaces?page=2" })
        guard case .failure(let error) = result else { throw TestFailure("The list was read as \(result).") }
        let otherPort = try #require(error.message.firstMatch(of: /127\.0\.0\.1:(\d+)\);/).map { Int($0.1) ?? 0 })
        #expect(error.message.contains("another origin (http://127.0.0.1:\(otherPort))") && error.message.contains("so no request was sent there"), "\(error.message)")
        #expect(other.isEmpty)
    }

    @Test("a Base URL with a path: a next link on the same origin outside that path is not followed, one under it is",
          arguments: [("/tenant-b/api/v1/spaces?page=2", false), ("../tenant-b/api/v1/spaces?page=2", false), ("/tenant-a/api/v1/spaces?page=2", true)])
    func underBasePath(_ link: String, followed: Bool) async throws {
        let (result, tenant, _) = try await Self.page(nextLink: { port, _ in link.hasPrefix("/") ? "http://127.0.0.1:\(port)\(link)" : link }, basePath: "/tenant-a")
        if followed {
            #expect(try result.get() == ["First", "Second"])
            #expect(tenant.count == 2 && tenant.last?.hasPrefix("/tenant-a/api/v1/spaces?page=2") == true, "\(tenant)")
        } else {
            #expect(tenant.count == 1, "\(tenant)")
            #expect(throws: QlikAPIError.self) { try result.get() }
        }
    }

    @Test("a next link on the Base URL's origin still pages, absolute or relative, with the bearer",
          arguments: ["http://127.0.0.1:{tenant}/api/v1/spaces?page=2", "/api/v1/spaces?page=2", "api/v1/spaces?page=2"])
    func sameOriginPages(_ template: String) async throws {
        let nextLink: @Sendable (Int, Int) -> String = { tenant, _ in template.replacingOccurrences(of: "{tenant}", with: String(tenant)) }
        let (result, tenant, other) = try await Self.page(nextLink: nextLink)
        #expect(try result.get() == ["First", "Second"])
        #expect(tenant == ["/api/v1/spaces?limit=1 (bearer)", "/api/v1/spaces?page=2 (bearer)"])
        #expect(other.isEmpty)
    }

    @Test("on a real tenant's address, the default port spelled out and the host in capitals are the same origin; any other port, http, or a subdomain is not, and is never requested",
          arguments: [
              ("https://acme.eu.qlikcloud.com:443/api/v1/spaces?page=2", true),
              ("https://ACME.eu.qlikcloud.com/api/v1/spaces?page=2", true),
              ("https://acme.eu.qlikcloud.com:8443/api/v1/spaces?page=2", false),
              ("http://acme.eu.qlikcloud.com/api/v1/spaces?page=2", false),
              ("https://acme.eu.qlikcloud.com.example.com/api/v1/spaces?page=2", false),
              ("//evil.example.com/api/v1/spaces?page=2", false),
              ("https://acme.eu.qlikcloud.com/api/v1/./spaces?page=2", false),
          ])
    func realTenantOrigin(_ link: String, followed: Bool) async throws {
        let first = #"{"data":[{"id":"s1","name":"First","type":"shared"}],"links":{"next":{"href":"\#(link)"}}}"#
        let second = #"{"data":[{"id":"s2","name":"Second","type":"shared"}]}"#
        let transport = ScriptedTransport([ScriptedTransport.status(200, [], first), ScriptedTransport.status(200, [], second)])
        let client = QlikCloudClient(baseURL: "https://acme.eu.qlikcloud.com", tokens: APIKeyTokenProvider(apiKey: "k"), transport: transport, retry: .none)
        let result: Result<[String], QlikAPIError>
        do throws(QlikAPIError) { result = .success(try await client.spaces(limit: 1).collect().map(\.name)) } catch { result = .failure(error) }
        let requested = transport.requests.withLock { $0 }
        if followed {
            #expect(try result.get() == ["First", "Second"])
            #expect(requested.last == "GET https://acme.eu.qlikcloud.com/api/v1/spaces?page=2", "\(requested)")
        } else {
            #expect(requested == ["GET https://acme.eu.qlikcloud.com/api/v1/spaces?limit=1"])
            #expect(throws: QlikAPIError.self) { try result.get() }
        }
    }

    @Test("an upload's Location on another origin is refused before its id is used; on the tenant's origin its last segment is the id",
          arguments: [("http://127.0.0.1:9/api/v1/temp-contents/abc", nil), ("https://acme.eu.qlikcloud.com/api/v1/temp-contents/abc", "abc"),
                      ("/api/v1/temp-contents/abc", "abc"), ("/api/v1/temp-contents/..", nil)] as [(String, String?)])
    func uploadLocation(_ location: String, id: String?) async throws {
        let transport = ScriptedTransport([ScriptedTransport.status(201, [("Location", location)], "")])
        let client = QlikCloudClient(baseURL: "https://acme.eu.qlikcloud.com", tokens: APIKeyTokenProvider(apiKey: "k"), transport: transport, retry: .none)
        if let id {
            #expect(try await client.uploadTempContent(filename: "data.csv", source: .bytes(ByteBuffer(string: "a\n1\n"))) == id)
        } else {
            let error = await #expect(throws: QlikAPIError.self) { try await client.uploadTempContent(filename: "data.csv", source: .bytes(ByteBuffer(string: "a\n1\n"))) }
            #expect(error?.message.hasPrefix("The tenant handed back a link") == true, "\(String(describing: error))")
        }
    }
}
