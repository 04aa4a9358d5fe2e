import Foundation
import Hummingbird
import HummingbirdTesting
import QlikConnections
import Testing
import TestRepositories
@testable import Service

@Suite("The API on a Secure Agent group with no agent available: 202 at once with availableAgents 0 and why")
struct ServiceAgentAvailabilityTests {
    @Test("Test Connection and a data task on a group without agents, or with a stale one, answer 202 at once with availableAgents 0 and the explanation; with an agent alive they wait and count it",
          arguments: RepositoryBackend.allCases)
    func availableAgents(_ backend: RepositoryBackend) async throws {
        // The service would otherwise wait 90 s for the test's task.
        let harness = try await ServiceHarness.make(backend, taskWait: .seconds(90))
        try await harness.withClient { api in
            let admin = harness.token("admin")
            #expect(try await api.call(.post, "/api/v1/runtime-environments", token: admin, json: ["name": "EU Agents"]).status == .created)
            let body: [String: Any] = ["name": "On agents", "runtimeEnvironment": "EU Agents", "authenticationType": "api-key",
                                       "baseURL": "https://acme.eu.qlikcloud.com", "accessToken": "a-token"]
            #expect(try await api.call(.post, "/api/v1/connections", token: admin, json: body).status == .created)

            let started = ContinuousClock.now
            let test = try await api.call(.post, "/api/v1/connections/On%20agents/test", token: admin)
            #expect(ContinuousClock.now - started < .seconds(10), "answered at once, not after the 90 s wait")
            #expect(test.status == .accepted && test.object["availableAgents"] as? Int == 0 && test.object["state"] as? String == "queued")
            let message = try #require(test.object["message"] as? String)
            #expect(message.contains("Secure Agent group 'EU Agents' has no agent") && message.contains(#"qlik-connector agent create "EU Agents" NAME --token-file FILE"#)
                && message.contains(#"qlik-connector agent --service URL --token-file FILE --runtime-env "EU Agents""#)
                && message.contains("The task is queued and runs when an agent of the group takes it"), "\(message)")
            #expect(test.headers[.location] == "/api/v1/tasks/\(test.object["id"] as? String ?? "")")
            let discover = try await api.call(.post, "/api/v1/connections/On%20agents/tasks?wait=90", token: admin, json: ["kind": "discover"])
            #expect(discover.status == .accepted && discover.object["availableAgents"] as? Int == 0 && (discover.object["message"] as? String)?.contains("'EU Agents'") == true)

            let created = try await api.call(.post, "/api/v1/runtime-environments/EU%20Agents/agents", token: admin, json: ["name": "eu-1"])
            let agentToken = try #require(created.object["token"] as? String)
            let agent = try #require(try await harness.repository.agents(of: harness.acme.id).first { $0.name == "eu-1" })
            try await harness.repository.heartbeat(agent.id, host: "host-a", version: "0.1.0", at: Date().addingTimeInterval(-3_600))
            let stale = try await api.call(.post, "/api/v1/connections/On%20agents/test", token: admin)
            #expect(stale.status == .accepted && stale.object["availableAgents"] as? Int == 0)
            #expect((stale.object["message"] as? String)?.contains("'eu-1' last sent one at") == true, "\(stale.text)")

            #expect(try await api.call(.post, "/api/v1/agent/heartbeat", token: agentToken, json: ["host": "host-a", "version": "0.1.0"]).status == .ok)
            let waited = ContinuousClock.now
            let alive = try await api.call(.post, "/api/v1/connections/On%20agents/tasks?wait=1", token: admin, json: ["kind": "discover"])
            #expect(ContinuousClock.now - waited >= .seconds(1), "with an agent alive the request waits")
            #expect(alive.status == .accepted && alive.object["availableAgents"] as? Int == 1 && alive.object["message"] == nil, "\(alive.text)")
        }
    }
}
