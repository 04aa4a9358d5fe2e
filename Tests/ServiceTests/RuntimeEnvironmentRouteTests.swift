import Foundation
import HTTPTypes
import Testing
@testable import Service

/// Runtime environments as the server generated from openapi.yaml serves them.
@Suite("Runtime environments through the generated server")
struct RuntimeEnvironmentRouteTests {
    @Test("a group created is answered 201 in the API's JSON and listed; deleted by its %-encoded name, it is answered and gone")
    func createListDelete() async throws {
        let harness = try await ServiceHarness.make()
        try await harness.withClient { api in
            let admin = harness.token("admin")
            let created = try await api.call(.post, "/api/v1/runtime-environments", token: admin, json: ["name": "Agents EU"])
            #expect(created.status == .created && created.headers[.contentType] == "application/json", "\(created.text)")
            #expect(created.text.hasPrefix(#"{"createdAt":""#) && created.text.contains(#""kind":"secure-agent-group","name":"Agents EU"}"#), "\(created.text)")
            let listed = try await api.call(.get, "/api/v1/runtime-environments", token: harness.token("viewer"))
            #expect(listed.status == .ok && listed.text.contains(#""name":"Agents EU""#) && listed.text.contains(#""kind":"serverless""#))
            let deleted = try await api.call(.delete, "/api/v1/runtime-environments/Agents%20EU", token: admin)
            #expect(deleted.status == .ok && deleted.text.contains(#""name":"Agents EU""#), "\(deleted.text)")
            #expect(try await api.call(.get, "/api/v1/runtime-environments", token: admin).text.contains("Agents EU") == false)
        }
    }

    @Test("without a token 401, as a designer 403, a body without name 422 naming it, and a member the document does not name ignored")
    func refusals() async throws {
        let harness = try await ServiceHarness.make()
        try await harness.withClient { api in
            #expect(try await api.call(.get, "/api/v1/runtime-environments", token: nil).status == .unauthorized)
            let forbidden = try await api.call(.post, "/api/v1/runtime-environments", token: harness.token("designer"), json: ["name": "Agents"])
            #expect(forbidden.status == .forbidden && forbidden.text.contains("admin"), "\(forbidden.text)")
            let nameless = try await api.call(.post, "/api/v1/runtime-environments", token: harness.token("admin"), json: ["title": "Agents"])
            #expect(nameless.status == .unprocessableContent && nameless.text.contains("name"), "\(nameless.text)")
            // As the hand-written routes did, a member the document does not name is ignored, not echoed back.
            let stray = try await api.call(.post, "/api/v1/runtime-environments", token: harness.token("admin"), json: ["name": "Agents", "colour": "red"])
            #expect(stray.status == .created && !stray.text.contains("colour"), "\(stray.status) \(stray.text)")
        }
    }
}
