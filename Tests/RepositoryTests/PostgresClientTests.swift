import Foundation
import Logging
import PostgresNIO
import QlikConnections
@testable import Repository
import Testing
import TestRepositories

/// The PostgreSQL repository's connections come from postgres-nio's `PostgresClient`, lent while the repository runs, until `close()`.
@Suite("PostgreSQL connections through postgres-nio's client: opened, replaced and ended")
struct PostgresClientTests {
    static let quiet = Logger(label: "postgres-client") { _ in SwiftLogNoOpLogHandler() }

    @Test("an address nothing listens on is refused at once, naming the address without its password")
    func unreachableAddressFailsAtOnce() async throws {
        let error = await #expect(throws: RepositoryError.self) {
            _ = try await PostgresRepository(address: try PostgresAddress("postgres://qc:secret@127.0.0.1:1/none?sslmode=disable"), logger: Self.quiet)
        }
        // "cannot connect" comes only from the first, direct connection, which gives up on the refusal; the client, which retries
        // for a minute, would say "no connection". The wording shows which, where a wall-time bound would fail on a busy machine.
        let message = error?.description ?? ""
        #expect(message.contains("cannot connect to PostgreSQL at postgres://qc:***@127.0.0.1:1/none"), "\(message)")
        #expect(!message.contains("secret"))
    }

    @Test("after close, a call is refused with a storage error rather than waiting", .timeLimit(.minutes(10)))
    func closedRepositoryRefuses() async throws {
        let url = try await TestPostgres.createDatabase()
        let repository = try await TestPostgres.repository(url)
        _ = try await repository.organizations()
        await repository.close()
        await #expect(throws: RepositoryError.self) { _ = try await repository.organizations() }
    }

    @Test("connections the server ended are replaced: the next calls work")
    func endedConnectionsAreReplaced() async throws {
        let url = try await TestPostgres.createDatabase()
        let repository = try await TestPostgres.repository(url, connections: 2)
        let organization = Organization(name: try OrganizationName("Acme"))
        try await repository.createOrganization(organization, by: AuditActor("test"))
        let database = try PostgresAddress(url).database
        let ended = try await TestPostgres.withConnection(to: url) { connection in
            try await connection.query("""
                SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = \(database) AND pid <> pg_backend_pid()) AS ended
                """, logger: Self.quiet).collect().first?.decode(Int64.self) ?? 0
        }
        #expect(ended > 0, "the repository held no connection to end")
        // The client learns of a closed socket as it closes; a moment later every lease is a live connection.
        try await Task.sleep(for: .milliseconds(200))
        for _ in 0..<4 { #expect(try await repository.organizations().map(\.id) == [organization.id]) }
        await repository.close()
    }
}
