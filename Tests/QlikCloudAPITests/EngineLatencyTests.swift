import Foundation
import QlikCloudAPI
@testable import QlikCloudSandbox
import Testing

@Suite("The sandbox's engine latency is a network's: requests in flight together are delayed together")
struct EngineLatencyTests {
    @Test("ten pipelined calls under 1 s of engine latency take about one delay, not ten; each answer still waits for it")
    func pipelinedCallsOverlap() async throws {
        var configuration = SandboxConfiguration()
        configuration.faults.engineMessageLatency = .seconds(1)
        let sandbox = await QlikCloudSandbox.make(configuration: configuration)
        let appID = try #require(await sandbox.appID(named: "Sales Analysis"))
        let elapsed = try await withLiveSandbox(sandbox) { credentials in
            let client = try credentials.client(settings: directSettings)
            return try await client.run { client in
                try await EngineSession.withSession(client: client, appID: appID) { session in
                    let doc = try await session.openDoc(appID)
                    let began = ContinuousClock.now
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        for _ in 0..<10 { group.addTask { try await session.allInfos(doc: doc).count } }
                        for try await count in group { #expect(count > 0) }
                    }
                    return ContinuousClock.now - began
                }
            }
        }
        #expect(elapsed >= .seconds(1))
        // Far from both ends, so a busy machine (the whole suite on 2 cores) does not decide it.
        #expect(elapsed < .seconds(5), "ten calls one after another would take 10 s")
    }
}
