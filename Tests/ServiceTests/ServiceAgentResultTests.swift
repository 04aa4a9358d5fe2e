import Foundation
import Hummingbird
import HummingbirdTesting
import QlikConnections
import Testing
import TestRepositories
@testable import Service

@Suite("An agent's result that does not decode fails its task with a clear error; no 5xx from it")
struct ServiceAgentResultTests {
    /// Acme's group "EU Agents" with connection "On agents" and agent eu-1, heard from: its token.
    static func liveAgent(_ harness: ServiceHarness, _ api: APIClient) async throws -> String {
        let token = try await ServiceAgentAvailabilityTests.group(harness, api)
        #expect(try await api.call(.post, "/api/v1/agent/heartbeat", token: token, json: ["host": "host-a", "version": "0.1.0", "leaseSeconds": 300]).status == .ok)
        return token
    }

    /// Claims until the agent gets a task (the request queuing it runs beside).
    static func claim(_ token: String, _ api: APIClient) async throws -> APIClient.Answer {
        for _ in 0..<500 {
            let claimed = try await api.call(.post, "/api/v1/agent/claim", token: token, json: ["leaseSeconds": 60, "sendsLeaseToken": true])
            if claimed.status == .ok { return claimed }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("no task came to claim")
        return try await api.call(.post, "/api/v1/agent/claim", token: token, json: ["leaseSeconds": 60, "sendsLeaseToken": true])
    }

    @Test("a Test Connection result that is not a report is refused with 422 and fails the task saying what was wrong; POST .../test answers 409 with it, not 500",
          arguments: RepositoryBackend.allCases)
    func malformedTestReport(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            let agent = try await Self.liveAgent(harness, api)
            async let tested = api.call(.post, "/api/v1/connections/On%20agents/test", token: harness.token("designer"))
            let claimed = try await Self.claim(agent, api)
            let id = try #require(claimed.object["taskID"] as? String)
            let lease = ServiceAgentLeaseTests.holding(claimed)
            let finish = try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: agent,
                                            json: ["succeeded": true, "result": #"{"steps": "all good"}"#, "logs": [["at": "2026-12-06T10:00:00Z", "level": "info", "message": "ran"]]],
                                            headers: lease)
            #expect(finish.status == .unprocessableContent && finish.errorCode == "result_malformed", "\(finish.text)")
            #expect(finish.text.contains("result for a Test Connection task did not decode") && finish.text.contains("expected"), "\(finish.text)")
            let answer = try await tested
            #expect(answer.status == .conflict && answer.errorCode == "task_failed", "\(answer.text)")
            #expect(answer.text.contains("result for a Test Connection task did not decode"), "\(answer.text)")
            let task = try await api.call(.get, "/api/v1/tasks/\(id)", token: harness.token("viewer"))
            #expect(task.object["state"] as? String == "failed" && (task.object["error"] as? String)?.contains("did not decode") == true, "\(task.text)")
            let result = try await api.call(.get, "/api/v1/tasks/\(id)/result", token: harness.token("viewer"))
            #expect(result.status == .notFound && result.errorCode == "no_result", "the malformed result is not kept: \(result.text)")
            let logs = try await api.call(.get, "/api/v1/tasks/\(id)/logs", token: harness.token("viewer")).json as? [[String: Any]] ?? []
            #expect(logs.compactMap { $0["message"] as? String } == ["ran"], "the run's lines stay")
            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: agent, json: ["succeeded": true], headers: lease).errorCode == "task_finished")
        }
    }

    @Test("a result that is not JSON at all, and a discover result that is not a catalog, fail their tasks with 422 naming the task kind")
    func notJSONAndDataTasks() async throws {
        let harness = try await ServiceHarness.make()
        try await harness.withClient { api in
            let agent = try await Self.liveAgent(harness, api)
            async let tested = api.call(.post, "/api/v1/connections/On%20agents/test", token: harness.token("designer"))
            let testClaim = try await Self.claim(agent, api)
            let test = try #require(testClaim.object["taskID"] as? String)
            let notJSON = try await api.call(.post, "/api/v1/agent/tasks/\(test)/finish", token: agent, json: ["succeeded": false, "result": "<html>oops"],
                                             headers: ServiceAgentLeaseTests.holding(testClaim))
            #expect(notJSON.status == .unprocessableContent && notJSON.text.contains("is not JSON"), "\(notJSON.text)")
            #expect(try await tested.status == .conflict)

            let queued = try await api.call(.post, "/api/v1/connections/On%20agents/tasks", token: harness.token("designer"), json: ["kind": "discover"])
            #expect(queued.status == .accepted)
            let discoverClaim = try await Self.claim(agent, api)
            let discover = try #require(discoverClaim.object["taskID"] as? String)
            let wrong = try await api.call(.post, "/api/v1/agent/tasks/\(discover)/finish", token: agent, json: ["succeeded": true, "result": #"{"tenant": 7}"#],
                                           headers: ServiceAgentLeaseTests.holding(discoverClaim))
            #expect(wrong.status == .unprocessableContent && wrong.text.contains("result for a Discover task did not decode")
                && wrong.text.contains("'tenant'"), "\(wrong.text)")
            let task = try await api.call(.get, "/api/v1/tasks/\(discover)", token: harness.token("viewer"))
            #expect(task.object["state"] as? String == "failed", "\(task.text)")
        }
    }

    @Test("a malformed Test Connection result already stored (before results were checked) is answered as a failed task: 409, never 500",
          arguments: RepositoryBackend.allCases)
    func storedMalformedReport(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            _ = try await Self.liveAgent(harness, api)
            let group = try #require(try await harness.repository.runtimeEnvironments(of: harness.acme.id).first { $0.name.value == "EU Agents" })
            async let tested = api.call(.post, "/api/v1/connections/On%20agents/test", token: harness.token("designer"))
            // An older service kept whatever the agent sent: written here straight to the queue.
            var task: TaskRecord?
            for _ in 0..<500 where task == nil {
                task = try await harness.repository.claim(in: [group.id], owner: "agent:old", lease: 60, now: Date())
                if task == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            let claimed = try #require(task)
            #expect(try await harness.repository.finish(try #require(claimed.lease), owner: "agent:old", succeeded: true, result: Data(#"{"steps":[{"name":1}]}"#.utf8),
                                                        error: nil, at: Date()))
            let answer = try await tested
            #expect(answer.status == .conflict && answer.errorCode == "task_failed"
                && answer.text.contains("result for a Test Connection task did not decode"), "\(answer.text)")
            let result = try await api.call(.get, "/api/v1/tasks/\(claimed.id)/result", token: harness.token("viewer"))
            #expect(result.status == .notFound && result.errorCode == "no_result" && result.text.contains("did not decode"), "\(result.text)")
        }
    }
}
