import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import QlikCloudSandbox

/// A sandbox and the API key of its developer (a user without TenantAdmin).
struct SandboxWithDeveloper {
    let sandbox: QlikCloudSandbox
    let adminKey: String
    let developerID: String
    let developerKey: String

    static func make() async throws -> SandboxWithDeveloper {
        let sandbox = await QlikCloudSandbox.make()
        let developer = try #require(await sandbox.tenant.usersByCreation.first { $0.name == "Maria Lopez" })
        let key = await sandbox.tenant.addAPIKey(for: developer.id)
        return SandboxWithDeveloper(sandbox: sandbox, adminKey: sandbox.credentials(port: 0).apiKey, developerID: developer.id, developerKey: key.token)
    }
}

@Suite("Sandbox api-keys: list, create, revoke, settings")
struct SandboxAPIKeyTests {
    @Test("a created key's token is in the create answer only, and authenticates until it is revoked")
    func createAndRevoke() async throws {
        let setup = try await SandboxWithDeveloper.make()
        try await setup.sandbox.application().test(.router) { client in
            let created = try await client.call(.post, "/api/v1/api-keys", key: setup.developerKey, json: #"{"description":"ci","expiry":"P7D"}"#)
            #expect(created.status == .created)
            let body = try created.object()
            let token = try #require(body["token"] as? String)
            let id = try #require(body["id"] as? String)
            #expect(try await client.call(.get, "/api/v1/users/me", key: token).status == .ok)
            let listed = try await client.call(.get, "/api/v1/api-keys", key: setup.developerKey).data()
            #expect(listed.contains { $0["id"] as? String == id })
            #expect(listed.allSatisfy { $0["token"] == nil })
            #expect(!String(buffer: try await client.call(.get, "/api/v1/api-keys", key: setup.developerKey).body).contains(token))
            #expect(try await client.call(.delete, "/api/v1/api-keys/\(id)", key: setup.developerKey).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/users/me", key: token).status == .unauthorized)
            let revoked = try await client.call(.get, "/api/v1/api-keys?status=revoked", key: setup.developerKey).data()
            #expect(revoked.map { $0["id"] as? String } == [id])
        }
    }

    @Test("a user without TenantAdmin lists only its own keys and gets 403 for another user's")
    func nonAdmin() async throws {
        let setup = try await SandboxWithDeveloper.make()
        let adminID = setup.sandbox.credentials(port: 0).userID
        try await setup.sandbox.application().test(.router) { client in
            let own = try await client.call(.get, "/api/v1/api-keys", key: setup.developerKey).data()
            #expect(own.allSatisfy { $0["sub"] as? String == setup.developerID })
            let other = try await client.call(.get, "/api/v1/api-keys?sub=\(adminID)", key: setup.developerKey)
            #expect(other.status == .forbidden)
            #expect(try Wire.firstError(other.body)["code"] as? String == "HTTP-403")
            let all = try await client.call(.get, "/api/v1/api-keys", key: setup.adminKey).data()
            #expect(Set(all.compactMap { $0["sub"] as? String }) == [adminID, setup.developerID])
        }
    }

    @Test("keys page by startingAfter over two pages")
    func paging() async throws {
        let setup = try await SandboxWithDeveloper.make()
        try await setup.sandbox.application().test(.router) { client in
            for index in 0..<3 {
                _ = try await client.call(.post, "/api/v1/api-keys", key: setup.adminKey, json: #"{"description":"key \#(index)"}"#)
            }
            let (items, pages) = try await client.collect("/api/v1/api-keys?limit=3&sort=+created", key: setup.adminKey)
            #expect(pages == 2)
            #expect(items.count == 5)
            #expect(Set(items.compactMap { $0["id"] as? String }).count == 5)
        }
    }

    @Test("the key settings read and change for administrators, and limit how many keys a user holds")
    func config() async throws {
        let setup = try await SandboxWithDeveloper.make()
        let tenantID = setup.sandbox.tenant.tenantID
        try await setup.sandbox.application().test(.router) { client in
            let patch = #"[{"op":"replace","path":"/max_keys_per_user","value":1}]"#
            #expect(try await client.call(.patch, "/api/v1/api-keys/configs/\(tenantID)", key: setup.developerKey, json: patch).status == .forbidden)
            #expect(try await client.call(.patch, "/api/v1/api-keys/configs/\(tenantID)", key: setup.adminKey, json: patch).status == .noContent)
            let config = try await client.call(.get, "/api/v1/api-keys/configs/\(tenantID)", key: setup.adminKey).object()
            #expect(config["max_keys_per_user"] as? Int == 1)
            // The developer already holds one key.
            #expect(try await client.call(.post, "/api/v1/api-keys", key: setup.developerKey, json: #"{"description":"two"}"#).status == .badRequest)
        }
    }

    @Test("a key count beyond a whole number's range is refused as a bad request, not a crash")
    func configCountOutOfRange() async throws {
        let setup = try await SandboxWithDeveloper.make()
        let tenantID = setup.sandbox.tenant.tenantID
        try await setup.sandbox.application().test(.router) { client in
            let patch = #"[{"op":"replace","path":"/max_keys_per_user","value":1e300}]"#
            let answer = try await client.call(.patch, "/api/v1/api-keys/configs/\(tenantID)", key: setup.adminKey, json: patch)
            #expect(answer.status == .badRequest)
        }
    }
}
