import Foundation
import HTTPTypes
import Testing
@testable import Service

/// Who am I, personal API tokens and the audit trail as the server generated from openapi.yaml serves them.
@Suite("Account operations through the generated server")
struct AccountRouteTests {
    @Test("a token created is shown once with its secret, listed without it, and revoked by its id; me names the caller")
    func tokens() async throws {
        let harness = try await ServiceHarness.make()
        try await harness.withClient { api in
            let viewer = harness.token("viewer")
            #expect(try await api.call(.get, "/api/v1/me", token: viewer).text.contains(#""role":"viewer""#))
            let created = try await api.call(.post, "/api/v1/tokens", token: viewer, json: ["name": "ci", "expiresInDays": 30])
            #expect(created.status == .created && created.text.contains(#""token":"qcs_"#), "\(created.text)")
            let id = try #require(try JSONSerialization.jsonObject(with: Data(created.text.utf8)) as? [String: Any])["id"] as? String
            let listed = try await api.call(.get, "/api/v1/tokens", token: viewer)
            #expect(listed.status == .ok && listed.text.contains(#""name":"ci""#) && !listed.text.contains(#""token""#), "\(listed.text)")
            let revoked = try await api.call(.delete, "/api/v1/tokens/\(try #require(id))", token: viewer)
            #expect(revoked.status == .ok && revoked.text.contains(#""revokedAt":""#), "\(revoked.text)")
            #expect(try await api.call(.delete, "/api/v1/tokens/not-a-uuid", token: viewer).status == .notFound)
        }
    }

    @Test("the audit trail's limit is checked: a number out of range or not a number is 422 naming limit")
    func auditLimit() async throws {
        let harness = try await ServiceHarness.make()
        try await harness.withClient { api in
            let admin = harness.token("admin")
            #expect(try await api.call(.get, "/api/v1/audit-events?limit=5", token: admin).status == .ok)
            for limit in ["0", "1001", "abc"] {
                let refused = try await api.call(.get, "/api/v1/audit-events?limit=\(limit)", token: admin)
                #expect(refused.status == .unprocessableContent && refused.errorField == "limit", "limit=\(limit): \(refused.status) \(refused.text)")
            }
            #expect(try await api.call(.get, "/api/v1/audit-events", token: harness.token("designer")).status == .forbidden)
        }
    }
}
