import Foundation
import Testing
import TestCommandLine
import TestRepositories

@Suite("serve killed during idempotent creates")
struct IdempotentCreateCrashTests {
    static func body(_ index: Int) -> String {
        #"{"name":"Sales \#(index)","runtimeEnvironment":"Serverless","authenticationType":"api-key","baseURL":"https://acme.eu.qlikcloud.com","accessToken":"tok-\#(index)"}"#
    }

    @Test("kill -9 of serve during a stream of concurrent creates with an Idempotency-Key: after a restart on the same database every retry is answered, each connection that exists by replay, never 409 duplicate_name",
          arguments: RepositoryBackend.allCases)
    func killedMidway(_ backend: RepositoryBackend) async throws {
        let harness = try CommandLineHarness()
        if backend == .postgres { harness.environment["QLIK_CONNECTOR_DATABASE"] = try await TestPostgres.createDatabase() }
        try await harness.succeed(["org", "create", "Acme"])
        let created = try await harness.succeed(["user", "create", "ada@acme.example", "--admin", "--token", "first"])
        let token = try #require(created.stdout.split(separator: "\n").last.map(String.init))
        let first = try harness.start(["serve", "--port", "0"])
        let before = ServeHTTP(port: try await ServeHTTP.port(of: first), token: token)
        // Creates keep coming, 50 at a time, until serve is killed once 40 have been answered: whatever the machine's speed,
        // about 50 are in flight at the kill, some committed but not yet answered. None is sent after it.
        let total = 1000, window = 50, killAfter = 40
        let (launched, answeredBeforeKill) = await withTaskGroup(of: Bool.self) { group in
            func create(_ index: Int) {
                group.addTask {
                    do {
                        return try await before.call("POST", "/api/v1/connections", json: Self.body(index), idempotencyKey: "create-\(index)").status == 201
                    } catch {
                        // Cut off by the kill: its retry below says what became of it.
                        return false
                    }
                }
            }
            var launched = 0, answered = 0, killed = false
            while launched < window { create(launched); launched += 1 }
            for await succeeded in group {
                if succeeded && !killed { answered += 1 }
                if !killed && answered == killAfter {
                    kill(first.process.processIdentifier, SIGKILL)
                    killed = true
                }
                if !killed && launched < total { create(launched); launched += 1 }
            }
            return (launched, answered)
        }
        _ = await first.stop()
        #expect(answeredBeforeKill == killAfter && launched < total, "the kill came mid-way: \(answeredBeforeKill) answered of \(launched) sent")
        let second = try harness.start(["serve", "--port", "0"])
        let after = ServeHTTP(port: try await ServeHTTP.port(of: second), token: token)
        var replayed = 0, createdNow = 0
        for index in 0..<launched {
            let retry = try await after.call("POST", "/api/v1/connections", json: Self.body(index), idempotencyKey: "create-\(index)")
            #expect(retry.status == 201, "retry \(index): \(retry.status) \(retry.errorCode ?? "") \(retry.body)")
            #expect(retry.body.contains(#""name":"Sales \#(index)""#), "retry \(index) answered another connection: \(retry.body)")
            if retry.replayed { replayed += 1 } else { createdNow += 1 }
        }
        // Every create that committed before the kill is one of the replays.
        let listed = try await after.call("GET", "/api/v1/connections?limit=1")
        #expect(listed.body.contains(#""total":\#(launched)"#), "\(listed.body)")
        #expect(replayed >= answeredBeforeKill && replayed + createdNow == launched, "\(replayed) replayed, \(createdNow) created on retry")
        #expect(await second.stop() == 0)
    }
}
