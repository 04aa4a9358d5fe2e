import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestCommandLine
import TestRepositories

@Suite("Scale-out on PostgreSQL: service replicas and agents sharing one queue")
struct ScaleOutTests {
    @Test("2 replicas and 4 agents run 2,000 tasks exactly once; an agent killed mid-task and then a replica lose nothing")
    func twoReplicasFourAgents() async throws {
        let harness = try CommandLineHarness()
        harness.environment["QLIK_CONNECTOR_DATABASE"] = try await TestPostgres.createDatabase()
        try await harness.succeed(["org", "create", "Acme"])
        try await harness.succeed(["runtime-env", "create", "Agents"])
        let created = try await harness.succeed(["user", "create", "ada@acme.example", "--admin", "--token", "first"])
        let token = try #require(created.stdout.split(separator: "\n").last.map(String.init))
        for index in 1...4 { try await harness.succeed(["agent", "create", "Agents", "agent-\(index)", "--token-file", harness.home + "/agent-\(index).token"]) }
        let replicas = [try harness.start(["serve", "--port", "0"]), try harness.start(["serve", "--port", "0"])]
        var bound: [Int] = []
        for replica in replicas { bound.append(try await AgentCommandTests.port(of: replica)) }
        let ports = bound
        // Agents 1 and 2 reach the service through replica A, 3 and 4 through replica B. Agent 1 starts alone and takes
        // four long tasks, so that killing it is sure to cut tasks short.
        func startAgent(_ index: Int) async throws -> CommandLineHarness.Server {
            let agent = try harness.start(["agent", "--service", "http://127.0.0.1:\(ports[(index - 1) / 2])", "--token-file", harness.home + "/agent-\(index).token",
                                           "--workers", "4", "--lease", "3"])
            _ = await agent.nextLine()
            return agent
        }
        var agents = [try await startAgent(1)]
        var long: [String] = []
        for _ in 0..<4 { long.append(try await Self.ping(ports[0], milliseconds: 8000, token: token)) }
        var running = 0
        for _ in 0..<200 where running < 4 {
            try await Task.sleep(for: .milliseconds(50))
            let listed = try await harness.succeed(["task", "list", "--json"])
            running = (try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []).filter { $0["state"] as? String == "running" }.count
        }
        #expect(running == 4, "agent 1 holds the four long tasks")
        for index in 2...4 { agents.append(try await startAgent(index)) }
        kill(agents[0].process.processIdentifier, SIGKILL)
        let short = try await withThrowingTaskGroup(of: [String].self) { group in
            for client in 0..<8 {
                group.addTask {
                    var ids: [String] = []
                    for _ in 0..<250 { ids.append(try await Self.ping(ports[client % 2], milliseconds: 0, token: token)) }
                    return ids
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(short.count == 2000)
        kill(replicas[0].process.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(120)
        var tasks: [[String: Any]] = []
        while Date() < deadline {
            // Read from the shared database by the command line: the API pages 500 at most.
            let listed = try await harness.succeed(["task", "list", "--limit", "5000", "--json"])
            tasks = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
            if tasks.count == 2004, tasks.allSatisfy({ $0["state"] as? String == "succeeded" }) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let states = Dictionary(grouping: tasks, by: { $0["state"] as? String ?? "?" }).mapValues(\.count)
        #expect(tasks.count == 2004 && states["succeeded"] == 2004, "\(states)")
        // Exactly once: every short task finished once (only its lease holder can finish it), logged one line per run it reported,
        // and ran once unless its agent or that agent's replica died holding it.
        var runs: [Int] = []
        for id in short.shuffled().prefix(200) {
            let task = try #require(tasks.first { $0["id"] as? String == id })
            let lines = try await Self.logs(ports[1], id, token: token)
            runs.append(lines)
            // A run whose replica died before its outcome (and its buffered log line) arrived leaves no line: never more lines than attempts.
            let attempts = task["attempts"] as? Int ?? 0
            #expect(lines >= 1 && lines <= attempts, "task \(id) ran \(lines) time(s) in \(attempts) attempt(s)")
        }
        #expect(runs.filter { $0 == 1 }.count >= 190, "almost every short task ran exactly once: \(runs)")
        let retried = tasks.filter { ($0["attempts"] as? Int ?? 0) > 1 }.compactMap { $0["id"] as? String }
        #expect(Set(long).isSubset(of: Set(retried)), "the killed agent's long tasks ran again elsewhere")
        for agent in agents.dropFirst() { _ = await agent.stop() }
        _ = await agents[0].stop()
        _ = await replicas[0].stop()
        #expect(await replicas[1].stop() == 0)
    }

    static func ping(_ port: Int, milliseconds: Int, token: String) async throws -> String {
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)/api/v1/runtime-environments/Agents/ping?milliseconds=\(milliseconds)")))
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        return try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["id"] as? String, "\(String(decoding: data, as: UTF8.self))")
    }

    static func logs(_ port: Int, _ id: String, token: String) async throws -> Int {
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)/api/v1/tasks/\(id)/logs")))
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        return (try JSONSerialization.jsonObject(with: data) as? [[String: Any]])?.count ?? -1
    }
}
