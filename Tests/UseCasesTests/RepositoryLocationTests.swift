import Foundation
import Logging
import QlikConnections
import Repository
import Testing
import TestRepositories
import UseCases

@Suite("Where the repository is: a postgres:// URL or a SQLite path, described without the password")
struct RepositoryLocationTests {
    @Test("a postgres:// URL names a PostgreSQL database, with its host, port and database")
    func urlIsPostgres() throws {
        guard case .postgres(let address) = try RepositoryLocation("postgres://connector:pw@db.internal:5433/qc?sslmode=require") else {
            Issue.record("a postgres:// URL was read as a SQLite path")
            return
        }
        #expect(address.host == "db.internal" && address.port == 5433 && address.database == "qc" && address.tls == .require)
    }

    @Test("anything else is a SQLite file's path, kept as given")
    func pathIsSQLite() throws {
        #expect(try RepositoryLocation("/var/lib/qc/repository.sqlite") == .sqlite(path: "/var/lib/qc/repository.sqlite"))
    }

    @Test("the description masks the PostgreSQL password")
    func passwordMasked() throws {
        let described = try RepositoryLocation("postgres://connector:planted-password@db.internal/qc").description
        #expect(!described.contains("planted-password") && described.contains("connector:***@db.internal"), "\(described)")
    }

    @Test("a postgres:// URL without a database is refused, saying what is expected")
    func incompleteURLRefused() {
        #expect(throws: RepositoryError.databaseAddress(reason: "the database address names no database (or more than one path segment); "
                                                            + "expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]")) {
            try RepositoryLocation("postgres://connector@db.internal")
        }
    }

    @Test("opening a location gives the repository there", arguments: RepositoryBackend.allCases)
    func opens(_ backend: RepositoryBackend) async throws {
        let store = try await TestRepository.make(backend)
        let organization = Organization(name: try OrganizationName("Acme"))
        try await store.repository.createOrganization(organization, by: AuditActor("test"))
        let opened = try await RepositoryLocation(store.location).open(logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        // A PostgreSQL repository lends connections only while it runs: here beside the reads, as the command line runs it.
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let shared = opened as? PostgresRepository {
                group.addTask { try await shared.run() }
                await shared.untilRunning()
            }
            let found = try await opened.organizations().map(\.id)
            await opened.close()
            #expect(found == [organization.id])
        }
    }
}
