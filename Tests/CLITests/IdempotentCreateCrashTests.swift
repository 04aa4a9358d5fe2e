import Foundation
import Testing

@Suite("serve killed during idempotent creates")
struct IdempotentCreateCrashTests {
    static func body(_ index: Int) -> String {
        #"{"name":"Sales \#(index)","runtimeEnvironment":"Serverless","authenticationType":"api-key","baseURL":"https://acme.eu.qlikcloud.com","accessToken":"tok-\#(index)"}"#
    }

    @Test("kill -9 of serve during 200 concurrent creates with an Idempotency-Key: after a restart on the same database every retry is answered, each connection that exists by replay, never 409 duplicate_name")
    func killedMidway() async throws {
        let harness = try CommandLineHarness()
        try await harness.succeed(["org", "create", "Acme"])
        let created = try await harness.succeed(["user", "create", "ada@acme.example", "--admin", "--token", "first"])
        let token = try #require(created.stdout.split(separator: "\n").last.map(String.init))
        let first = try harness.start(["serve", "--port", "0"])
        let before = ServeHTTP(port: try await ServeHTTP.port(of: first), token: token)
        let count = 200
        // Killed once a fifth have been answered, so that many creates are mid-way, some committed but not yet answered.
        let answeredBeforeKill = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<count {
                group.addTask {
                    do {
                        return try await before.call("POST", "/api/v1/connections", json: Self.body(index), idempotencyKey: "create-\(index)").status == 201
                    } catch {
                        // Cut off by the kill: its retry below says what became of it.
                        return false
                    }
                }
            }
            var answered = 0
            for await succeeded in group where succeeded {
                answered += 1
                if answered == count / 5 { kill(first.process.processIdentifier, SIGKILL) }
            }
            return answered
        }
        _ = await first.stop()
        #expect(answeredBeforeKill >= count / 5 && answeredBeforeKill < count, "the kill came mid-way: \(answeredBeforeKill) answered")
        let second = try harness.start(["serve", "--port", "0"])
        let after = ServeHTTP(port: try await ServeHTTP.port(of: second), token: token)
        var replayed = 0, createdNow = 0
        for index in 0..<count {
            let retry = try await after.call("POST", "/api/v1/connections", json: Self.body(index), idempotencyKey: "create-\(index)")
            #expect(retry.status == 201, "retry \(index): \(retry.status) \(retry.errorCode ?? "") \(retry.body)")
            #expect(retry.body.contains(#""name":"Sales \#(index)""#), "retry \(index) answered another connection: \(retry.body)")
            if retry.replayed { replayed += 1 } else { createdNow += 1 }
        }
        // Every create that committed before the kill is one of the replays.
        let listed = try await after.call("GET", "/api/v1/connections?limit=1")
        #expect(listed.body.contains(#""total":\#(count)"#), "\(listed.body)")
        #expect(replayed >= answeredBeforeKill && replayed + createdNow == count, "\(replayed) replayed, \(createdNow) created on retry")
        #expect(await second.stop() == 0)
    }
}
