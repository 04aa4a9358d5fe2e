import Foundation
import GRDB
import QlikConnections
@testable import Repository
import Synchronization
import Testing

/// The SQL statements a SQLite repository ran, as GRDB's trace reports them (the SQL only, never the bound values).
final class StatementLog: Sendable {
    private let statements = Mutex<[String]>([])
    func record(_ sql: String) { statements.withLock { $0.append(sql) } }
    func clear() { statements.withLock { $0.removeAll() } }
    func count(mentioning text: String) -> Int { statements.withLock { $0.filter { $0.contains(text) }.count } }
}

@Suite("SQLite reads a list's credentials per page, as PostgreSQL does")
struct SQLiteCredentialReadTests {
    let log: StatementLog
    let repository: SQLiteRepository
    let organization: Organization

    init() throws {
        organization = Organization(name: try OrganizationName("Acme"))
        let log = StatementLog()
        self.log = log
        repository = try SQLiteRepository(path: NSTemporaryDirectory() + "qc-repo-\(UUID().uuidString)/repository.sqlite") { configuration in
            configuration.prepareDatabase { db in db.trace(options: .statement) { log.record($0.description) } }
        }
    }

    /// The organization with `names` as API-key connections, then a clean log.
    func connections(_ names: [String]) async throws {
        let actor = AuditActor("test")
        try await repository.createOrganization(organization, by: actor)
        _ = try await repository.activeMasterKeyID(registeringIfNone: "k1")
        let rules = ConnectionRules(organization: organization, runtimeEnvironments: try await repository.runtimeEnvironments(of: organization.id))
        for name in names {
            try await repository.createConnection(try rules.create(ConnectionDraft(
                name: name, runtimeEnvironment: "Serverless", authenticationType: "api-key", baseURL: "https://acme.eu.qlikcloud.com",
                accessToken: .value(SealedSecret(keyID: "k1", combined: [1, 2, 3])))), by: actor)
        }
        log.clear()
    }

    @Test("a page of four connections reads connection_credentials once")
    func pageReadsCredentialsOnce() async throws {
        try await connections(["Alpha", "Beta", "Gamma", "Delta"])
        let page = try await repository.connectionPage(of: organization.id, matching: ConnectionFilter(), after: nil, limit: 10)
        #expect(page.items.count == 4)
        #expect(log.count(mentioning: "FROM connection_credentials") == 1)
    }

    @Test("a full list of four connections reads connection_credentials once")
    func listReadsCredentialsOnce() async throws {
        try await connections(["Alpha", "Beta", "Gamma", "Delta"])
        #expect(try await repository.connections(of: organization.id, matching: ConnectionFilter()).count == 4)
        #expect(log.count(mentioning: "FROM connection_credentials") == 1)
    }

    @Test("a version page with four unknown connections reads them and their credentials once each")
    func versionPageReadsUnknownOnce() async throws {
        try await connections(["Alpha", "Beta", "Gamma", "Delta"])
        let page = try await repository.connectionVersionPage(of: organization.id, matching: ConnectionFilter(), after: nil, limit: 10) { _ in false }
        #expect(page.unknown.count == 4)
        #expect(log.count(mentioning: "FROM connection_credentials") == 1)
        #expect(log.count(mentioning: "SELECT * FROM connections WHERE id IN") == 1)
    }
}
