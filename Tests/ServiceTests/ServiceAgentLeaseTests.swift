import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Testing
import TestRepositories
@testable import Service

@Suite("Only the agent holding a task's lease writes to it: log lines and the outcome")
struct ServiceAgentLeaseTests {
    /// Creates agent `name` in group `group` (made when missing) of Acme; answers its token.
    static func agent(_ name: String, in group: String, _ harness: ServiceHarness, _ api: APIClient) async throws -> String {
        let admin = harness.token("admin")
        let path = group.replacingOccurrences(of: " ", with: "%20")
        let groups = try await api.call(.get, "/api/v1/runtime-environments", token: admin).text
        if !groups.contains("\"\(group)\"") {
            #expect(try await api.call(.post, "/api/v1/runtime-environments", token: admin, json: ["name": group]).status == .created)
        }
        let created = try await api.call(.post, "/api/v1/runtime-environments/\(path)/agents", token: admin, json: ["name": name])
        return try #require(created.object["token"] as? String, "\(created.text)")
    }

    static func line(_ message: String) -> [[String: Any]] { [["at": "2026-12-06T10:00:00Z", "level": "info", "message": message]] }

    /// The `Lease-Token` header naming the claim that `claimed` answered.
    static func holding(_ claimed: APIClient.Answer) -> HTTPFields {
        let token = claimed.object["leaseToken"] as? String
        #expect(token?.isEmpty == false, "a claim answers its lease token: \(claimed.text)")
        return leaseToken(token ?? "")
    }

    static func leaseToken(_ token: String) -> HTTPFields {
        var fields = HTTPFields()
        if let name = HTTPField.Name("Lease-Token") { fields[name] = token }
        return fields
    }

    static func claim(_ token: String, leaseSeconds: Double, _ api: APIClient) async throws -> APIClient.Answer {
        try await api.call(.post, "/api/v1/agent/claim", token: token, json: ["leaseSeconds": leaseSeconds, "sendsLeaseToken": true])
    }

    @Test("an agent of another group gets 404 and one of the same group that does not hold the lease gets 409, for log lines and the outcome; nothing of theirs is kept; the lease holder logs and finishes; after that nobody logs to the finished task",
          arguments: RepositoryBackend.allCases)
    func onlyTheLeaseHolder(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            let holder = try await Self.agent("eu-1", in: "EU Agents", harness, api)
            let sameGroup = try await Self.agent("eu-2", in: "EU Agents", harness, api)
            let otherGroup = try await Self.agent("us-1", in: "US Agents", harness, api)
            let ping = try await api.call(.post, "/api/v1/runtime-environments/EU%20Agents/ping", token: harness.token("designer"))
            let id = try #require(ping.object["id"] as? String)
            let claimed = try await Self.claim(holder, leaseSeconds: 60, api)
            #expect(claimed.object["taskID"] as? String == id)
            // The others even send the holder's lease token: the token names a claim of the agent that made it, nobody else's.
            let lease = Self.holding(claimed)

            let foreignLog = try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: otherGroup, json: Self.line("from us-1"), headers: lease)
            #expect(foreignLog.status == .notFound && foreignLog.errorCode == "not_found", "another group's task is not there for it: \(foreignLog.text)")
            let foreignFinish = try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: otherGroup,
                                                   json: ["succeeded": false, "error": "us-1 says no", "logs": Self.line("finish from us-1")], headers: lease)
            #expect(foreignFinish.status == .notFound, "\(foreignFinish.text)")

            let rivalLog = try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: sameGroup, json: Self.line("from eu-2"), headers: lease)
            #expect(rivalLog.status == .conflict && rivalLog.errorCode == "lease_lost" && rivalLog.text.contains("does not hold"), "\(rivalLog.text)")
            let rivalFinish = try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: sameGroup,
                                                 json: ["succeeded": false, "error": "eu-2 says no", "logs": Self.line("finish from eu-2")], headers: lease)
            #expect(rivalFinish.status == .conflict && rivalFinish.errorCode == "lease_lost", "\(rivalFinish.text)")
            #expect(try await api.call(.get, "/api/v1/tasks/\(id)", token: harness.token("viewer")).object["state"] as? String == "running")

            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: holder, json: Self.line("from eu-1"), headers: lease).status == .noContent)
            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: holder,
                                       json: ["succeeded": true, "logs": Self.line("done by eu-1")], headers: lease).status == .noContent)

            for token in [holder, sameGroup] {
                let late = try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: token, json: Self.line("late"), headers: lease)
                #expect(late.status == .conflict && late.errorCode == "task_finished" && late.text.contains("succeeded"), "\(late.text)")
                let again = try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: token, json: ["succeeded": false, "logs": Self.line("late")],
                                               headers: lease)
                #expect(again.status == .conflict && again.errorCode == "task_finished", "\(again.text)")
            }
            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: otherGroup, json: Self.line("late"), headers: lease).status == .notFound)

            let logs = try await api.call(.get, "/api/v1/tasks/\(id)/logs", token: harness.token("viewer")).json as? [[String: Any]] ?? []
            #expect(logs.compactMap { $0["message"] as? String } == ["from eu-1", "done by eu-1"], "only the lease holder's lines: \(logs)")
            let task = try await api.call(.get, "/api/v1/tasks/\(id)", token: harness.token("viewer"))
            #expect(task.object["state"] as? String == "succeeded" && task.object["error"] == nil, "\(task.text)")
        }
    }

    @Test("a queued task that no agent holds takes no log lines and no outcome from an agent of its group", arguments: RepositoryBackend.allCases)
    func queuedTask(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            let agent = try await Self.agent("eu-1", in: "EU Agents", harness, api)
            let ping = try await api.call(.post, "/api/v1/runtime-environments/EU%20Agents/ping", token: harness.token("designer"))
            let id = try #require(ping.object["id"] as? String)
            let guessed = Self.leaseToken(UUID().uuidString.lowercased())
            let log = try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: agent, json: Self.line("unclaimed"), headers: guessed)
            #expect(log.status == .conflict && log.errorCode == "lease_lost", "\(log.text)")
            let finish = try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: agent, json: ["succeeded": true], headers: guessed)
            #expect(finish.status == .conflict && finish.errorCode == "lease_lost", "\(finish.text)")
            #expect((try await api.call(.get, "/api/v1/tasks/\(id)/logs", token: harness.token("viewer")).json as? [[String: Any]])?.isEmpty == true)
            #expect(try await api.call(.get, "/api/v1/tasks/\(id)", token: harness.token("viewer")).object["state"] as? String == "queued")
        }
    }

    @Test("one agent claims a task twice (its first lease ran out, another of its workers claimed it again): the first claim's renewal, log lines and outcome are refused 409 lease_lost and nothing of them is kept; the second claim's are",
          arguments: RepositoryBackend.allCases)
    func twoClaimsOfOneAgent(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            let agent = try await Self.agent("eu-1", in: "EU Agents", harness, api)
            let ping = try await api.call(.post, "/api/v1/runtime-environments/EU%20Agents/ping", token: harness.token("designer"))
            let id = try #require(ping.object["id"] as? String)
            // Worker 1 claims with the shortest lease and stalls past it; worker 2 of the same agent (same token) claims the task again.
            let first = try await Self.claim(agent, leaseSeconds: 2, api)
            #expect(first.object["taskID"] as? String == id, "\(first.text)")
            let firstLease = Self.holding(first)
            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: agent, json: Self.line("first, in its lease"), headers: firstLease).status
                == .noContent)
            var second = try await Self.claim(agent, leaseSeconds: 60, api)
            let deadline = ContinuousClock.now + .seconds(30)
            while second.status == .noContent, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                second = try await Self.claim(agent, leaseSeconds: 60, api)
            }
            #expect(second.object["taskID"] as? String == id && second.object["attempts"] as? Int == 2, "\(second.text)")
            let secondLease = Self.holding(second)
            #expect(first.object["leaseToken"] as? String != second.object["leaseToken"] as? String, "each claim its own token")

            let renew = try await api.call(.post, "/api/v1/agent/tasks/\(id)/renew", token: agent, json: ["leaseSeconds": 60], headers: firstLease)
            #expect(renew.status == .conflict && renew.errorCode == "lease_lost" && renew.text.contains("this agent claimed it again"), "\(renew.text)")
            let log = try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: agent, json: Self.line("first, after its lease"), headers: firstLease)
            #expect(log.status == .conflict && log.errorCode == "lease_lost", "\(log.text)")
            let finish = try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: agent,
                                            json: ["succeeded": false, "error": "first says it failed", "logs": Self.line("first, with its outcome")],
                                            headers: firstLease)
            #expect(finish.status == .conflict && finish.errorCode == "lease_lost", "\(finish.text)")
            let meanwhile = try await api.call(.get, "/api/v1/tasks/\(id)", token: harness.token("viewer"))
            #expect(meanwhile.object["state"] as? String == "running" && meanwhile.object["error"] == nil, "\(meanwhile.text)")

            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/renew", token: agent, json: ["leaseSeconds": 60], headers: secondLease).status
                == .noContent)
            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: agent, json: Self.line("second-1"), headers: secondLease).status
                == .noContent)
            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: agent,
                                       json: ["succeeded": true, "logs": Self.line("second-2")], headers: secondLease).status == .noContent)

            let logs = try await api.call(.get, "/api/v1/tasks/\(id)/logs", token: harness.token("viewer")).json as? [[String: Any]] ?? []
            #expect(logs.compactMap { $0["message"] as? String } == ["first, in its lease", "second-1", "second-2"],
                    "none of the first claim's lines after its lease ran out: \(logs)")
            let task = try await api.call(.get, "/api/v1/tasks/\(id)", token: harness.token("viewer"))
            #expect(task.object["state"] as? String == "succeeded" && task.object["error"] == nil && task.object["attempts"] as? Int == 2, "\(task.text)")
        }
    }

    @Test("an agent that predates per-claim leases is told to upgrade: its claim gets no task (400), its renewal, log lines and outcome without a Lease-Token are refused (428) and nothing of them is kept",
          arguments: RepositoryBackend.allCases)
    func olderAgent(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            let agent = try await Self.agent("eu-1", in: "EU Agents", harness, api)
            let ping = try await api.call(.post, "/api/v1/runtime-environments/EU%20Agents/ping", token: harness.token("designer"))
            let id = try #require(ping.object["id"] as? String)
            let old = try await api.call(.post, "/api/v1/agent/claim", token: agent, json: ["leaseSeconds": 60])
            #expect(old.status == .badRequest && old.errorCode == "agent_upgrade_required" && old.text.contains("upgrade the agent"), "\(old.text)")
            #expect(try await api.call(.get, "/api/v1/tasks/\(id)", token: harness.token("viewer")).object["state"] as? String == "queued",
                    "no task handed to an agent that could not report on it")

            let claimed = try await Self.claim(agent, leaseSeconds: 60, api)
            #expect(claimed.object["taskID"] as? String == id, "\(claimed.text)")
            // The same agent's token, as an older agent sends it: without the claim's lease token.
            let renew = try await api.call(.post, "/api/v1/agent/tasks/\(id)/renew", token: agent, json: ["leaseSeconds": 60])
            #expect(renew.status == .preconditionRequired && renew.errorCode == "agent_upgrade_required" && renew.text.contains("Lease-Token")
                && renew.text.contains("upgrade the agent"), "\(renew.text)")
            let log = try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: agent, json: Self.line("from an older agent"))
            #expect(log.status == .preconditionRequired && log.errorCode == "agent_upgrade_required", "\(log.text)")
            let finish = try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: agent,
                                            json: ["succeeded": false, "error": "older agent", "logs": Self.line("older, with its outcome")])
            #expect(finish.status == .preconditionRequired && finish.errorCode == "agent_upgrade_required", "\(finish.text)")
            #expect((try await api.call(.get, "/api/v1/tasks/\(id)/logs", token: harness.token("viewer")).json as? [[String: Any]])?.isEmpty == true)
            let task = try await api.call(.get, "/api/v1/tasks/\(id)", token: harness.token("viewer"))
            #expect(task.object["state"] as? String == "running" && task.object["error"] == nil, "\(task.text)")
        }
    }
}
