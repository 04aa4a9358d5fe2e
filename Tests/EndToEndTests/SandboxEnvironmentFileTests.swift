import Foundation
import TestProcesses
import Testing
import TestCommandLine

@Suite("qlik-connector sandbox --env-file")
struct SandboxEnvironmentFileTests {
    @Test("the file appears once the port is bound, owner-only, and a shell that sources it reaches the tenant with its key")
    func sourcedByAShell() async throws {
        let harness = try CommandLineHarness()
        let file = harness.home + "/sandbox.env"
        // An earlier sandbox's file is replaced, never read as this one's.
        _ = try harness.file("sandbox.env", "export QLIK_SANDBOX_URL='http://127.0.0.1:1'\n")
        let server = try harness.start(["sandbox", "--port", "0", "--json", "--env-file", file])
        let printed = try await SandboxCommandTests.firstLine(server)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let text = try await ChildProcess.run("/bin/sh", ["-c", #". "$1" && printf '%s\n%s\n' "$QLIK_SANDBOX_URL" "$QLIK_SANDBOX_API_KEY""#, "sh", file]).text
        #expect(await server.stop() == 0)
        #expect(text == printed.baseURL + "\n" + printed.apiKey + "\n")
    }

    @Test("a folder that cannot hold the file is refused before the tenant starts (exit code 2)")
    func missingFolder() async throws {
        let harness = try CommandLineHarness()
        let refused = try await harness.run(["sandbox", "--port", "0", "--env-file", harness.home + "/no/such/folder/sandbox.env"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--env-file") && refused.stderr.contains("does not exist"))
    }
}
