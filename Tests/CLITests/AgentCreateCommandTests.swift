import Foundation
import Testing
import TestCommandLine

@Suite("agent create: a refused request is a usage error said in plain words")
struct AgentCreateCommandTests {
    @Test("agent create on the serverless environment exits 2 with the reason, no HTTP status in it")
    func serverlessIsUsageError() async throws {
        let harness = try CommandLineHarness()
        try await harness.succeed(["org", "create", "Acme"])
        let refused = try await harness.run(["agent", "create", "Serverless", "x"])
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr == "error: 'Serverless' is the serverless environment: its tasks run inside the service, not on agents.\n", "\(refused.stderr)")
    }
}
