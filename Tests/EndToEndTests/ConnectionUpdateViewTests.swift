import Foundation
import Testing
import TestCommandLine

@Suite("qlik-connector connection update shows what show shows")
struct ConnectionUpdateViewTests {
    @Test("after a passed test, update's view still names the last test instead of 'never'")
    func keepsLastTest() async throws {
        let cli = try CommandLineHarness()
        let (server, _) = try await cli.sandboxConnection(fixture: #"{"users": [{"name": "Ada", "email": "ada@example.com", "apiKeys": [{"token": "sbx_update_view"}]}]}"#,
                                                        key: "sbx_update_view")
        try await cli.succeed(["connection", "test", "S"])
        let updated = try await cli.succeed(["connection", "update", "S", "--description", "kept"]).stdout
        #expect(await server.stop() == 0)
        #expect(updated.contains("Last test            passed"))
        #expect(!updated.contains("never"))
    }
}
