import Foundation
import Logging
import PostgresNIO
import Repository
import Testing
import TestCommandLine
import TestRepositories

/// A command's PostgreSQL repository runs in the command's own task group: its connections close when the command returns.
@Suite("A command's PostgreSQL connections end with the command")
struct RepositoryScopeTests {
    @Test("after 'org create' and 'org list' on PostgreSQL return, no connection of theirs is left on the server")
    func connectionsEndWithTheCommand() async throws {
        let url = try await TestPostgres.createDatabase()
        let cli = try CommandLineHarness()
        cli.environment["QLIK_CONNECTOR_DATABASE"] = url
        try await cli.succeed(["org", "create", "Acme"])
        #expect(try await cli.succeed(["org", "list"]).stdout.contains("Acme"))
        let database = try PostgresAddress(url).database
        // A backend the client closed leaves pg_stat_activity a moment later; one it kept open would stay for its idle minute.
        var others: Int64 = -1
        for _ in 0..<40 where others != 0 {
            others = try await TestPostgres.withConnection(to: url) { connection in
                try await connection.query("SELECT count(*) FROM pg_stat_activity WHERE datname = \(database) AND pid <> pg_backend_pid()",
                                           logger: Logger(label: "scope-test") { _ in SwiftLogNoOpLogHandler() })
                    .collect().first?.decode(Int64.self) ?? -1
            }
            if others != 0 { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(others == 0)
    }
}
