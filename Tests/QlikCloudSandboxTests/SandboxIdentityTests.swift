import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import QlikCloudSandbox

/// Raw HTTP against the sandbox, written here from Qlik's documented wire
/// format: the connector's client is not used.
enum Wire {
    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(buffer: buffer))
        guard let dictionary = object as? [String: Any] else { throw Failure("not a JSON object: \(String(buffer: buffer))") }
        return dictionary
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The first error of a Qlik error body: code, title, status.
    static func firstError(_ buffer: ByteBuffer) throws -> [String: Any] {
        let body = try json(buffer)
        #expect(body["traceId"] is String)
        guard let errors = body["errors"] as? [[String: Any]], let first = errors.first else { throw Failure("no errors array in \(body)") }
        return first
    }
}

@Suite("Sandbox identity: API keys, OAuth client credentials, 401s")
struct SandboxIdentityTests {
    @Test("an API key authenticates users/me, which names the user and tenant")
    func apiKey() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let credentials = sandbox.credentials(port: 0)
        try await sandbox.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer(credentials.apiKey)) { (response: TestResponse) throws in
                #expect(response.status == .ok)
                let me = try Wire.json(response.body)
                #expect(me["id"] as? String == credentials.userID)
                #expect(me["name"] as? String == "Sandbox Admin")
                #expect(me["tenantId"] as? String == sandbox.tenant.tenantID)
                #expect((me["assignedRoles"] as? [[String: Any]])?.first?["name"] as? String == "TenantAdmin")
            }
        }
    }

    @Test("missing, malformed, unknown, revoked and expired tokens get 401 with Qlik's error body", arguments: [
        "none", "basic", "empty", "unknown", "revoked",
    ])
    func unauthorized(_ kind: String) async throws {
        let sandbox = await QlikCloudSandbox.make()
        let credentials = sandbox.credentials(port: 0)
        if kind == "revoked" { await sandbox.tenant.revoke(token: credentials.apiKey) }
        let headers: HTTPFields = switch kind {
        case "none": [:]
        case "basic": [.authorization: "Basic abc"]
        case "empty": [.authorization: "Bearer "]
        case "unknown": Wire.bearer("not-a-token")
        default: Wire.bearer(credentials.apiKey)
        }
        try await sandbox.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: headers) { (response: TestResponse) throws in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/json")
                let error = try Wire.firstError(response.body)
                #expect(error["code"] as? String == "HTTP-401")
                #expect(error["status"] as? String == "401")
            }
        }
    }

    @Test("client credentials work as a JSON body, a form body and HTTP Basic", arguments: ["json", "form", "basic"])
    func tokenForms(_ form: String) async throws {
        let sandbox = await QlikCloudSandbox.make()
        let credentials = sandbox.credentials(port: 0)
        var fields: HTTPFields = [:]
        let body: String
        switch form {
        case "json":
            fields[.contentType] = "application/json"
            body = #"{"grant_type":"client_credentials","client_id":"\#(credentials.clientID)","client_secret":"\#(credentials.clientSecret)","scope":"user_default"}"#
        case "form":
            fields[.contentType] = "application/x-www-form-urlencoded"
            body = "grant_type=client_credentials&client_id=\(credentials.clientID)&client_secret=\(credentials.clientSecret)"
        default:
            fields[.contentType] = "application/json"
            fields[.authorization] = "Basic " + Data("\(credentials.clientID):\(credentials.clientSecret)".utf8).base64EncodedString()
            body = #"{"grant_type":"client_credentials","scope":"user_default"}"#
        }
        let headers = fields
        try await sandbox.application().test(.router) { client in
            let token = try await client.execute(uri: "/oauth/token", method: .post, headers: headers, body: ByteBuffer(string: body)) { (response: TestResponse) throws in
                #expect(response.status == .ok)
                let json = try Wire.json(response.body)
                #expect(json["token_type"] as? String == "bearer")
                #expect(json["expires_in"] as? Int == 6 * 3600)
                #expect((json["expires_at"] as? String).flatMap { try? Date($0, strategy: .iso8601) } != nil)
                return try #require(json["access_token"] as? String)
            }
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer(token)) { (response: TestResponse) throws in
                #expect(response.status == .ok)
            }
            // Revoked tokens stop working at once.
            try await client.execute(uri: "/oauth/revoke", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"token":"\#(token)","token_type_hint":"access_token"}"#)) { (response: TestResponse) throws in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer(token)) { (response: TestResponse) throws in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test("a wrong secret gets 401, a disabled client 403, a wrong grant 400")
    func tokenErrors() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let credentials = sandbox.credentials(port: 0)
        let json: HTTPFields = [.contentType: "application/json"]
        try await sandbox.application().test(.router) { client in
            try await client.execute(uri: "/oauth/token", method: .post, headers: json,
                                     body: ByteBuffer(string: #"{"grant_type":"client_credentials","client_id":"\#(credentials.clientID)","client_secret":"wrong"}"#)) { (response: TestResponse) throws in
                #expect(response.status == .unauthorized)
                #expect(try Wire.firstError(response.body)["title"] as? String == "invalid_client")
            }
            try await client.execute(uri: "/oauth/token", method: .post, headers: json,
                                     body: ByteBuffer(string: #"{"grant_type":"password","client_id":"x","client_secret":"y"}"#)) { (response: TestResponse) throws in
                #expect(response.status == .badRequest)
            }
            await sandbox.tenant.setClientEnabled(credentials.clientID, false)
            try await client.execute(uri: "/oauth/token", method: .post, headers: json,
                                     body: ByteBuffer(string: #"{"grant_type":"client_credentials","client_id":"\#(credentials.clientID)","client_secret":"\#(credentials.clientSecret)"}"#)) { (response: TestResponse) throws in
                #expect(response.status == .forbidden)
            }
        }
    }

    /// A clock the test moves by hand.
    final class ManualClock: @unchecked Sendable {
        private let lock = NSLock()
        private var current = Date()
        var now: Date { lock.withLock { current } }
        func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
    }

    @Test("tokens expire after the configured lifetime")
    func expiry() async throws {
        let clock = ManualClock()
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(accessTokenLifetime: .seconds(60)), clock: { clock.now })
        let credentials = sandbox.credentials(port: 0)
        let token = try await sandbox.tenant.issueToken(clientID: credentials.clientID, clientSecret: credentials.clientSecret, scope: nil)
        try await sandbox.application().test(.router) { client in
            clock.advance(59)
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer(token.token)) { response in
                #expect(response.status == .ok)
            }
            clock.advance(2)
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer(token.token)) { (response: TestResponse) throws in
                #expect(response.status == .unauthorized)
                #expect((try Wire.firstError(response.body)["detail"] as? String)?.contains("expired") == true)
            }
        }
    }

    @Test("over the tier budget (the per-minute limit over five minutes): 429 with Retry-After and Qlik's error")
    func rateLimit() async throws {
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(tier1PerMinute: 3))
        let credentials = sandbox.credentials(port: 0)
        try await sandbox.application().test(.router) { client in
            for _ in 0..<15 {
                try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer(credentials.apiKey)) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer(credentials.apiKey)) { (response: TestResponse) throws in
                #expect(response.status == .tooManyRequests)
                #expect(Int(response.headers[.retryAfter] ?? "").map { (1...300).contains($0) } == true)
                let error = try Wire.firstError(response.body)
                #expect(error["code"] as? String == "HTTP-429")
                #expect(error["title"] as? String == "API rate limit reached.")
            }
        }
    }
}
