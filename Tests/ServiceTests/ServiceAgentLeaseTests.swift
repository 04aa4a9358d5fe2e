import Foundation
import Hummingbird
import HummingbirdTesting
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
            let claimed = try await api.call(.post, "/api/v1/agent/claim", token: holder, json: ["leaseSeconds": 60])
            #expect(claimed.object["taskID"] as? String == id)

            let foreignLog = try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: otherGroup, json: Self.line("from us-1"))
            #expect(foreignLog.status == .notFound && foreignLog.errorCode == "not_found", "another group's task is not there for it: \(foreignLog.text)")
            let foreignFinish = try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: otherGroup,
                                                   json: ["succeeded": false, "error": "us-1 says no", "logs": Self.line("finish from us-1")])
            #expect(foreignFinish.status == .notFound, "\(foreignFinish.text)")

            let rivalLog = try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: sameGroup, json: Self.line("from eu-2"))
            #expect(rivalLog.status == .conflict && rivalLog.errorCode == "lease_lost" && rivalLog.text.contains("does not hold"), "\(rivalLog.text)")
            let rivalFinish = try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: sameGroup,
                                                 json: ["succeeded": false, "error": "eu-2 says no", "logs": Self.line("finish from eu-2")])
            #expect(rivalFinish.status == .conflict && rivalFinish.errorCode == "lease_lost", "\(rivalFinish.text)")
            #expect(try await api.call(.get, "/api/v1/tasks/\(id)", token: harness.token("viewer")).object["state"] as? String == "running")

            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: holder, json: Self.line("from eu-1")).status == .noContent)
            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: holder,
                                       json: ["succeeded": true, "logs": Self.line("done by eu-1")]).status == .noContent)

            for token in [holder, sameGroup] {
                let late = try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: token, json: Self.line("late"))
                #expect(late.status == .conflict && late.errorCode == "task_finished" && late.text.contains("succeeded"), "\(late.text)")
                let again = try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: token, json: ["succeeded": false, "logs": Self.line("late")])
                #expect(again.status == .conflict && again.errorCode == "task_finished", "\(again.text)")
            }
            #expect(try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: otherGroup, json: Self.line("late")).status == .notFound)

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
            let log = try await api.call(.post, "/api/v1/agent/tasks/\(id)/logs", token: agent, json: Self.line("unclaimed"))
            #expect(log.status == .conflict && log.errorCode == "lease_lost", "\(log.text)")
            let finish = try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: agent, json: ["succeeded": true])
            #expect(finish.status == .conflict && finish.errorCode == "lease_lost", "\(finish.text)")
            #expect((try await api.call(.get, "/api/v1/tasks/\(id)/logs", token: harness.token("viewer")).json as? [[String: Any]])?.isEmpty == true)
            #expect(try await api.call(.get, "/api/v1/tasks/\(id)", token: harness.token("viewer")).object["state"] as? String == "queued")
        }
    }
}
