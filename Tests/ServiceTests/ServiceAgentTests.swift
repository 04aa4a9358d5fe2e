import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TestRepositories
@testable import Service

@Suite("The agents' API: created by administrators, authenticated by their own token, holding leases")
struct ServiceAgentTests {
    @Test("an agent claims its group's task, renews and finishes it once; tokens do not cross between users and agents", arguments: RepositoryBackend.allCases)
    func agentRoutes(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            let admin = harness.token("admin")
            #expect(try await api.call(.post, "/api/v1/runtime-environments", token: admin, json: ["name": "EU Agents"]).status == .created)
            #expect(try await api.call(.post, "/api/v1/runtime-environments/EU%20Agents/agents", token: harness.token("designer"), json: ["name": "eu-1"]).status == .forbidden)
            #expect(try await api.call(.post, "/api/v1/runtime-environments/Serverless/agents", token: admin, json: ["name": "eu-1"]).errorField == "name")
            #expect(try await api.call(.post, "/api/v1/runtime-environments/EU%20Agents/agents", token: admin, json: ["name": "bad name!"]).errorField == "name")
            let created = try await api.call(.post, "/api/v1/runtime-environments/EU%20Agents/agents", token: admin, json: ["name": "eu-1"])
            let agentToken = try #require(created.object["token"] as? String)
            #expect(created.status == .created && agentToken.hasPrefix("qca_") && created.object["status"] as? String == "never-seen")
            #expect(try await api.call(.get, "/api/v1/me", token: agentToken).status == .unauthorized, "an agent token is not a user's")
            #expect(try await api.call(.post, "/api/v1/agent/claim", token: admin, json: ["sendsLeaseToken": true]).status == .unauthorized, "a user token is not an agent's")
            #expect(try await api.call(.post, "/api/v1/agent/claim", token: agentToken, json: ["sendsLeaseToken": true]).status == .noContent, "nothing waits yet")
            let beat = try await api.call(.post, "/api/v1/agent/heartbeat", token: agentToken, json: ["host": "host-a", "version": "0.1.0"])
            #expect(beat.object["agent"] as? String == "eu-1" && beat.object["runtimeEnvironment"] as? String == "EU Agents")
            let agents = try await api.call(.get, "/api/v1/agents", token: harness.token("viewer")).json as? [[String: Any]] ?? []
            #expect(agents.count == 1 && agents[0]["status"] as? String == "available" && agents[0]["host"] as? String == "host-a" && agents[0]["token"] == nil)
            let ping = try await api.call(.post, "/api/v1/runtime-environments/EU%20Agents/ping?milliseconds=0", token: harness.token("designer"))
            let id = try #require(ping.object["id"] as? String)
            #expect(ping.status == .accepted && ping.headers[.location] == "/api/v1/tasks/\(id)")
            let claimed = try await api.call(.post, "/api/v1/agent/claim", token: agentToken, json: ["leaseSeconds": 10, "sendsLeaseToken": true])
            #expect(claimed.status == .ok && claimed.object["taskID"] as? String == id && claimed.object["kind"] as? String == "noop"
                && claimed.object["leaseSeconds"] as? Double == 10)
            let lease = ServiceAgentLeaseTests.holding(claimed)
            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/renew", token: agentToken, json: ["leaseSeconds": 10], headers: lease).status == .noContent)
            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: agentToken,
                                       json: [["at": "2026-11-29T10:00:00Z", "level": "info", "message": "hello from eu-1"]], headers: lease).status == .noContent)
            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: agentToken, json: ["succeeded": true], headers: lease).status == .noContent)
            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: agentToken, json: ["succeeded": false], headers: lease).errorCode == "task_finished",
                    "a task finishes once")
            let task = try await api.call(.get, "/api/v1/tasks/\(id)", token: admin)
            #expect(task.object["state"] as? String == "succeeded" && task.object["attempts"] as? Int == 1)
            let logs = try await api.call(.get, "/api/v1/tasks/\(id)/logs", token: admin).json as? [[String: Any]] ?? []
            #expect(logs.map { $0["message"] as? String } == ["hello from eu-1"])
            // Another organization's agent cannot touch this organization's tasks.
            #expect(try await api.call(.post, "/api/v1/runtime-environments", token: harness.token("otherAdmin"), json: ["name": "Other Agents"]).status == .created)
            let other = try await api.call(.post, "/api/v1/runtime-environments/Other%20Agents/agents", token: harness.token("otherAdmin"), json: ["name": "o-1"])
            let otherToken = try #require(other.object["token"] as? String)
            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: otherToken, json: [[String: Any]](), headers: lease).status == .notFound)
        }
    }
}
