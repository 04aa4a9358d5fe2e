import Foundation
import Testing
import TestCommandLine

/// A task the command line runs is recorded in the repository, where the organization's users read it (API, console):
/// its error must not carry a path on the operator's machine; the person at the command reads the path on standard error.
@Suite("connection test from the command line with the master key file gone: the task's error names no path, the command does")
struct MissingKeyTaskErrorTests {
    @Test("the managed key file removed after a credential was sealed: connection test fails, stderr names the file, the recorded task error does not")
    func missingKeyFile() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        try await cli.succeed(["connection", "create", "Sales", "--runtime-env", "Serverless", "--auth", "api-key",
                               "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:T"], environment: ["T": "a-token"])
        let keyFile = cli.home + "/master.key"
        #expect(FileManager.default.fileExists(atPath: keyFile), "the managed key was generated at \(keyFile)")
        try FileManager.default.removeItem(atPath: keyFile)

        let tested = try await cli.run(["connection", "test", "Sales"])
        #expect(tested.status != 0)
        #expect(tested.stderr.contains(keyFile), "the operator is told which file: \(tested.stderr)")
        let tasks = try JSONSerialization.jsonObject(with: Data(try await cli.succeed(["task", "list", "--json"]).stdout.utf8)) as? [[String: Any]] ?? []
        let error = try #require(tasks.first { $0["kind"] as? String == "test" }?["error"] as? String, "\(tasks)")
        #expect(!error.contains(cli.home) && error.contains("operator"), "the recorded task error: \(error)")
    }
}
