import ArgumentParser
import Connector
import Foundation
import QlikCloudAPI
import QlikConnections
import Repository
import Runtime
import Secrets
import UseCases

extension ConnectionCommand {
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Test a connection against its tenant, step by step, and keep the result.",
            discussion: """
                Checks, in order: Base URL form; DNS; TCP and TLS; the OAuth token exchange (OAuth 2.0); an authenticated
                GET /api/v1/users/me; a permission probe (spaces, and one app's engine session). The first failing check
                stops the run and says what to do. HTTPS_PROXY and NO_PROXY are honoured. Exit code 1 when a check fails.
                """
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Connection Name (any case).") var name: String
        @Option(help: "PEM file of extra CA certificates to trust (a corporate proxy's root).") var caBundle: String?
        @Option(help: "Seconds to wait for a connection.") var connectTimeout: Int = 10
        @Option(name: .customLong("agent-wait"), help: ArgumentHelp(
            "Seconds to wait for a Secure Agent to run the test, when the connection runs on one (default: 300, and only while an agent of "
                + "the group is available; given, the test is queued and waited for even when none is).", valueName: "seconds"))
        var agentWait: Int?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard (1...300).contains(connectTimeout) else { throw ValidationError("--connect-timeout takes 1 to 300 seconds.") }
            if let agentWait, !(1...86_400).contains(agentWait) { throw ValidationError("--agent-wait takes 1 to 86400 seconds.") }
        }

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let settings = TransportSettings(caBundlePath: caBundle, connectTimeout: .seconds(connectTimeout))
            let (task, connection) = try await ConnectionTaskRun(workspace: workspace, connectionName: name, settings: settings,
                                                                 tester: ConnectionTester(settings: settings), agentWait: agentWait)
                .run(.test, [String: String]())
            // The task ran here or on an agent; its report is checked and kept as every entry point keeps it (no value is sealed).
            let (report, encoded) = try await ConnectionTesting(repository: workspace.repository, keys: SealingKeys(nil),
                                                                encode: { report in try ConnectionCommand.encoder.encode(report) })
                .record(task, of: connection, by: workspace.actor)
            if json {
                Terminal.current.line(String(decoding: encoded, as: UTF8.self))
            } else {
                Terminal.current.line("Testing '\(connection.name)' (\(report.authentication), \(report.baseURL))".printable)
                for step in report.steps {
                    let mark = switch step.verdict { case .passed: "ok  "; case .failed: "FAIL"; case .skipped: "--  " }
                    Terminal.current.line("\(mark) \(step.name) (\(step.milliseconds) ms)".printable)
                    Terminal.current.line("     \(step.detail)".printable)
                    if let hint = step.hint { Terminal.current.line("     What to do: \(hint)".printable) }
                }
                Terminal.current.line(report.succeeded ? "Connection OK (\(report.milliseconds) ms)." : "Connection FAILED: \(report.summary)".printable)
            }
            if !report.succeeded { throw ExitCode(1) }
        }
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
