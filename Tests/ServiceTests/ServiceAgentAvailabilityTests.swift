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
        // The service would otherwise wait 600 s for the test's task: far beyond any bound below, which a busy machine cannot reach.
        let harness = try await ServiceHarness.make(backend, taskWait: .seconds(600))
        try await harness.withClient { api in
            let admin = harness.token("admin")
            #expect(try await api.call(.post, "/api/v1/runtime-environments", token: admin, json: ["name": "EU Agents"]).status == .created)
            let body: [String: Any] = ["name": "On agents", "runtimeEnvironment": "EU Agents", "authenticationType": "api-key",
                                       "baseURL": "https://acme.eu.qlikcloud.com", "accessToken": "a-token"]
            #expect(try await api.call(.post, "/api/v1/connections", token: admin, json: body).status == .created)

            let started = ContinuousClock.now
            let test = try await api.call(.post, "/api/v1/connections/On%20agents/test", token: admin)
            #expect(ContinuousClock.now - started < .seconds(240), "answered at once, not after the 600 s wait")
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

    /// Organization Acme's group "EU Agents", connection "On agents" on it, and agent eu-1's token.
    static func group(_ harness: ServiceHarness, _ api: APIClient) async throws -> String {
        let admin = harness.token("admin")
        #expect(try await api.call(.post, "/api/v1/runtime-environments", token: admin, json: ["name": "EU Agents"]).status == .created)
        let body: [String: Any] = ["name": "On agents", "runtimeEnvironment": "EU Agents", "authenticationType": "api-key",
                                   "baseURL": "https://acme.eu.qlikcloud.com", "accessToken": "a-token"]
        #expect(try await api.call(.post, "/api/v1/connections", token: admin, json: body).status == .created)
        let created = try await api.call(.post, "/api/v1/runtime-environments/EU%20Agents/agents", token: admin, json: ["name": "eu-1"])
        return try #require(created.object["token"] as? String)
    }

    @Test("a request waiting on an agent answers 202 with availableAgents 0 as soon as the group's last agent signs off, not when its wait is up",
          arguments: RepositoryBackend.allCases)
    func lastAgentStops(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend, taskWait: .seconds(600))
        try await harness.withClient { api in
            let agentToken = try await Self.group(harness, api)
            #expect(try await api.call(.post, "/api/v1/agent/heartbeat", token: agentToken, json: ["host": "host-a", "version": "0.1.0", "leaseSeconds": 300]).status == .ok)
            let started = ContinuousClock.now
            async let waiting = api.call(.post, "/api/v1/connections/On%20agents/tasks?wait=90", token: harness.token("admin"), json: ["kind": "discover"])
            try await Task.sleep(for: .seconds(1))
            #expect(try await api.call(.post, "/api/v1/agent/stop", token: agentToken).status == .noContent)
            let answer = try await waiting
            #expect(ContinuousClock.now - started < .seconds(60), "answered once the agent stopped, not after its 90 s wait or the 300 s lease")
            #expect(answer.status == .accepted && answer.object["availableAgents"] as? Int == 0 && answer.object["state"] as? String == "queued", "\(answer.text)")
            let message = try #require(answer.object["message"] as? String)
            #expect(message.contains("'eu-1' last sent one at") && message.contains("and stopped at") && message.contains(#"--runtime-env "EU Agents""#)
                && message.contains("The task is queued and runs when an agent of the group takes it"), "\(message)")
        }
    }

    @Test("an agent that signs off is unavailable at once, in the agent list and for the next request; its next heartbeat makes it available again",
          arguments: RepositoryBackend.allCases)
    func signOff(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend, taskWait: .seconds(600))
        try await harness.withClient { api in
            let agentToken = try await Self.group(harness, api)
            let admin = harness.token("admin")
            #expect(try await api.call(.post, "/api/v1/agent/heartbeat", token: agentToken, json: ["host": "host-a", "version": "0.1.0", "leaseSeconds": 300]).status == .ok)
            func status() async throws -> String? {
                (try await api.call(.get, "/api/v1/agents", token: admin).json as? [[String: Any]])?.first?["status"] as? String
            }
            #expect(try await status() == "available")
            #expect(try await api.call(.post, "/api/v1/agent/stop", token: admin).status == .unauthorized, "only an agent signs itself off")
            #expect(try await api.call(.post, "/api/v1/agent/stop", token: agentToken).status == .noContent)
            #expect(try await status() == "unavailable", "inside its 300 s lease")
            let started = ContinuousClock.now
            let test = try await api.call(.post, "/api/v1/connections/On%20agents/test", token: admin)
            #expect(ContinuousClock.now - started < .seconds(240) && test.status == .accepted && test.object["availableAgents"] as? Int == 0, "\(test.text)")
            #expect(try await api.call(.post, "/api/v1/agent/heartbeat", token: agentToken, json: ["host": "host-a", "version": "0.1.0"]).status == .ok)
            #expect(try await status() == "available")
            let agent = try #require(try await harness.repository.agents(of: harness.acme.id).first)
            #expect(agent.lease == 20 && agent.stoppedAt == nil, "a heartbeat without leaseSeconds has the default lease")
            #expect(try await api.call(.post, "/api/v1/agent/heartbeat", token: agentToken, json: ["host": "host-a", "version": "0.1.0", "leaseSeconds": 45]).status == .ok)
            #expect(try await harness.repository.agents(of: harness.acme.id).first?.lease == 45, "the agent's own lease is kept")
        }
    }

    @Test("a ping answers like the other task routes: availableAgents and why on a group with none, the count with one alive; an unknown group gets 'did you mean'",
          arguments: [RepositoryBackend.sqlite])
    func ping(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            let agentToken = try await Self.group(harness, api)
            let designer = harness.token("designer")
            let none = try await api.call(.post, "/api/v1/runtime-environments/EU%20Agents/ping", token: designer)
            let id = try #require(none.object["id"] as? String)
            #expect(none.status == .accepted && none.headers[.location] == "/api/v1/tasks/\(id)" && none.object["kind"] as? String == "noop")
            #expect(none.object["availableAgents"] as? Int == 0 && (none.object["message"] as? String)?.contains("'eu-1' never sent a heartbeat") == true, "\(none.text)")
            #expect(try await api.call(.post, "/api/v1/agent/heartbeat", token: agentToken, json: ["host": "host-a", "version": "0.1.0"]).status == .ok)
            let alive = try await api.call(.post, "/api/v1/runtime-environments/eu%20agents/ping", token: designer)
            #expect(alive.status == .accepted && alive.object["availableAgents"] as? Int == 1 && alive.object["message"] == nil, "\(alive.text)")
            let serverless = try await api.call(.post, "/api/v1/runtime-environments/Serverless/ping", token: designer)
            #expect(serverless.status == .accepted && serverless.object["availableAgents"] == nil, "the serverless environment has no agents to count")
            let unknown = try await api.call(.post, "/api/v1/runtime-environments/EU%20Agent/ping", token: designer)
            #expect(unknown.status == .notFound && unknown.text.contains("Did you mean 'EU Agents'?"), "\(unknown.text)")
            let agents = try await api.call(.post, "/api/v1/runtime-environments/EU%20Agentz/agents", token: harness.token("admin"), json: ["name": "eu-2"])
            #expect(agents.status == .notFound && agents.text.contains("Did you mean 'EU Agents'?"), "creating an agent gets the same hint: \(agents.text)")
        }
    }
}
