import Foundation
import QlikConnections
import Repository
import Testing
import TestCommandLine

@Suite("Task log lines and errors reach the terminal escaped: no ANSI escape runs, no line is forged")
struct TaskOutputEscapingTests {
    /// What a tenant or a user can put into a task's log and error: a clear-screen escape and a line break starting a forged line.
    static let hostile = "orders\u{1B}[2J\nforged.csv"
    static let escaped = #"orders\u{1B}[2J\nforged.csv"#

    /// Organization Acme with one failed read task whose log line and error carry `hostile`, stored as a worker would store them.
    static func failedTask() async throws -> (CommandLineHarness, TaskID) {
        let harness = try CommandLineHarness()
        try await harness.succeed(["org", "create", "Acme"])
        let repository = try SQLiteRepository(path: harness.databasePath)
        let organization = try await repository.organization(named: "Acme")
        let serverless = try #require(try await repository.runtimeEnvironments(of: organization.id).first)
        let now = Date()
        let task = try await repository.enqueueStarted(
            TaskRecord(organizationID: organization.id, runtimeEnvironmentID: serverless.id, connectionID: nil, connectionName: "S", kind: .read,
                       requestedBy: "ops@acme.example"),
            owner: "test", lease: 60, now: now)
        let lease = try #require(task.lease)
        #expect(try await repository.appendLog(lease, owner: "test", [TaskLogLine(at: now, level: "error", message: "Cannot read '\(hostile)'")]))
        #expect(try await repository.finish(lease, owner: "test", succeeded: false, result: nil, error: "Qlik said: no data file '\(hostile)'", at: now))
        return (harness, task.id)
    }

    @Test("task logs prints each stored line on one line with its control characters escaped as the log handler escapes them")
    func logs() async throws {
        let (harness, id) = try await Self.failedTask()
        let output = try await harness.succeed(["task", "logs", id.description]).stdout
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1, "one stored line, one printed line: \(output.debugDescription)")
        #expect(lines.first?.hasSuffix(" ERROR Cannot read '\(Self.escaped)'") == true, "\(output.debugDescription)")
        #expect(!output.contains("\u{1B}"))
    }

    @Test("task show prints the task's error on its Error line, escaped; task list and --json keep working")
    func show() async throws {
        let (harness, id) = try await Self.failedTask()
        let output = try await harness.succeed(["task", "show", id.description]).stdout
        #expect(!output.contains("\u{1B}"))
        #expect(!output.split(separator: "\n").contains { $0.hasPrefix("forged") }, "\(output.debugDescription)")
        let errorLine = output.split(separator: "\n").first { $0.hasPrefix("Error") }
        #expect(errorLine?.hasSuffix("Qlik said: no data file '\(Self.escaped)'") == true, "\(output.debugDescription)")
        // JSON stays JSON: the encoder escapes the characters, and a reader gets the error back as stored.
        let json = try await harness.succeed(["task", "show", id.description, "--json"]).stdout
        #expect(!json.contains("\u{1B}"))
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(decoded["error"] as? String == "Qlik said: no data file '\(Self.hostile)'")
        let listed = try await harness.succeed(["task", "list"]).stdout
        #expect(listed.split(separator: "\n").count == 2 && listed.contains(id.description), "\(listed)")
    }
}
