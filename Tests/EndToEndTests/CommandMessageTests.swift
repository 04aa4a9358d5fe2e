import Foundation
import Testing
import TestCommandLine

@Suite("What the command line says when something is wrong: the fix named, one error style")
struct CommandMessageTests {
    @Test("a Base URL outside Qlik Cloud refused for want of an allow-list entry names the operator's command with the entry; the old switch is refused with what replaces it")
    func customHostHint() async throws {
        let harness = try CommandLineHarness()
        try await harness.succeed(["org", "create", "Acme"])
        let refused = try await harness.run(["connection", "create", "S", "--runtime-env", "Serverless", "--auth", "api-key",
                                             "--base-url", "http://127.0.0.1:9090", "--access-token-from", "env:KEY"], environment: ["KEY": "a-token"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("admitted only by the operator of this service")
            && refused.stderr.contains("'qlik-connector hosts allow 127.0.0.1:9090'"), "\(refused.stderr)")
        for old in [["org", "set", "--allow-custom-tenant-hosts", "true"], ["org", "create", "Other", "--allow-custom-tenant-hosts"]] {
            let gone = try await harness.run(old)
            #expect(gone.status == 2 && gone.stderr.contains("--allow-custom-tenant-hosts is gone") && gone.stderr.contains("qlik-connector hosts allow"),
                    "\(old): \(gone.stderr)")
        }
        try await harness.succeed(["hosts", "allow", "127.0.0.1:9090"])
        try await harness.succeed(["connection", "create", "S", "--runtime-env", "Serverless", "--auth", "api-key",
                                   "--base-url", "http://127.0.0.1:9090", "--access-token-from", "env:KEY"], environment: ["KEY": "a-token"])
    }

    @Test("sandbox and serve on a port another process holds say so in one line with the fix, exit 1")
    func portInUse() async throws {
        let harness = try CommandLineHarness()
        let holder = try harness.start(["sandbox", "--port", "0", "--json"])
        let line = try #require(await holder.nextLine())
        let baseURL = try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["baseURL"] as? String)
        let port = try #require(baseURL.split(separator: ":").last.map(String.init))
        for command in ["sandbox", "serve"] {
            let taken = try await harness.run([command, "--port", port])
            #expect(taken.status == 1, "\(command)")
            // serve may first say it generated the master key; the error is the last line, and the only one.
            #expect(taken.stderr.hasSuffix("error: port \(port) is in use; pick another with --port or --port 0\n"), "\(command): \(taken.stderr)")
            #expect(!taken.stderr.contains("bind(") && taken.stderr.components(separatedBy: "error:").count == 2, "\(command): \(taken.stderr)")
        }
        #expect(await holder.stop() == 0)
    }

    @Test("a mistyped connection or runtime environment name offers the nearest existing one (or those there are)")
    func didYouMean() async throws {
        let harness = try CommandLineHarness()
        try await harness.succeed(["org", "create", "Acme"])
        try await harness.succeed(["runtime-env", "create", "EU Agents"])
        try await harness.succeed(["connection", "create", "Sales EU", "--runtime-env", "Serverless", "--auth", "api-key",
                                   "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:KEY"], environment: ["KEY": "a-token"])
        let nope = try await harness.run(["connection", "test", "Nope"])
        #expect(nope.status == 2 && nope.stderr == "error: No connection named 'Nope'. Existing: 'Sales EU'.\n", "\(nope.stderr)")
        let near = try await harness.run(["connection", "show", "Sales E"])
        #expect(near.status == 2 && near.stderr.contains("No connection named 'Sales E'. Did you mean 'Sales EU'?"), "\(near.stderr)")
        let environment = try await harness.run(["connection", "create", "Other", "--runtime-env", "EU Agent", "--auth", "api-key",
                                                 "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:KEY"], environment: ["KEY": "a-token"])
        #expect(environment.status == 2 && environment.stderr.contains("Runtime Environment 'EU Agent' does not exist in organization 'Acme'. Did you mean 'EU Agents'?"),
                "\(environment.stderr)")
        let agent = try await harness.run(["agent", "create", "EU Agnets", "eu-1"])
        #expect(agent.status == 2 && agent.stderr.contains("Did you mean 'EU Agents'?"), "\(agent.stderr)")
        let deleted = try await harness.run(["runtime-env", "delete", "eu agent"])
        #expect(deleted.status == 2 && deleted.stderr.contains("Did you mean 'EU Agents'?"), "\(deleted.stderr)")
    }

    @Test("every error starts with 'error: ', argument-parser's own (unknown option, missing argument, a refused value) included, with its usage hint")
    func oneErrorStyle() async throws {
        let harness = try CommandLineHarness()
        try await harness.succeed(["org", "create", "Acme"])
        let cases: [([String], Int32, String)] = [
            (["connection", "create", "X", "--access-token", "abc"], 2, "error: --access-token VALUE is not accepted"),
            (["connection", "create", "X", "--bogus", "abc"], 2, "error: Unknown option '--bogus'"),
            (["connection", "create"], 2, "error: Missing expected argument '<name>'"),
            (["connection", "test", "X", "--agent-wait", "0"], 2, "error: --agent-wait takes 1 to 86400 seconds."),
            (["no-such-command"], 2, "error: Unexpected argument 'no-such-command'"),
            (["connection", "show", "X"], 2, "error: No connection named 'X'."),
        ]
        for (arguments, status, start) in cases {
            let run = try await harness.run(arguments)
            #expect(run.status == status, "\(arguments): \(run.status)")
            #expect(run.stderr.hasPrefix(start), "\(arguments): \(run.stderr)")
            #expect(!run.stderr.contains("Error:"), "\(arguments): \(run.stderr)")
        }
        let usage = try await harness.run(["connection", "create", "X", "--bogus", "abc"])
        #expect(usage.stderr.contains("See 'qlik-connector connection create --help' for more information."), "the usage hint stays")
    }
}
