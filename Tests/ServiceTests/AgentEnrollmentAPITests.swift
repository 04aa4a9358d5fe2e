import Foundation
import Testing
import TestRepositories
@testable import Service

@Suite("Creating an agent through the API: a refusal of the agent use case keeps its 422 body")
struct AgentEnrollmentAPITests {
    @Test("an agent on the serverless environment is answered 422 validation_failed, naming the field, with the reason as the message")
    func serverlessIs422() async throws {
        let harness = try await ServiceHarness.make(.sqlite)
        try await harness.withClient { api in
            let refused = try await api.call(.post, "/api/v1/runtime-environments/Serverless/agents", token: harness.token("admin"), json: ["name": "x"])
            let error = refused.object["error"] as? [String: Any]
            #expect(refused.status == .unprocessableContent && refused.errorCode == "validation_failed" && refused.errorField == "name", "\(refused.text)")
            #expect(error?["message"] as? String == "'Serverless' is the serverless environment: its tasks run inside the service, not on agents.")
            #expect(error?.keys.sorted() == ["code", "field", "message"], "one problem is said in the error itself: \(refused.text)")
        }
    }
}
