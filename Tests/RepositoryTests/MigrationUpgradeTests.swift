import Foundation
import GRDB
import Logging
import PostgresNIO
import QlikConnections
@testable import Repository
import Testing
import TestRepositories

@Suite("A repository written by the version before issue 15 (schema v8) upgrades with its data")
struct MigrationUpgradeTests {
    static let lastOldStep = "v8-agent-lease-and-sign-off"
    static let cyrillic = "S\u{430}les A"  // а: CYRILLIC SMALL LETTER A

    /// Rows as the old version wrote them: an organization with the removed custom-hosts switch on, its administrator with a
    /// personal token and a console session, and two connections whose names look alike.
    static func oldRows(_ backend: RepositoryBackend) -> [String] {
        let yes = backend == .sqlite ? "1" : "TRUE", no = backend == .sqlite ? "0" : "FALSE"
        let hash = { (byte: String) in backend == .sqlite ? "X'\(String(repeating: byte, count: 32))'" : "'\\x\(String(repeating: byte, count: 32))'" }
        return [
            "INSERT INTO organizations (id, name, name_key, credential_storage, allow_custom_tenant_hosts, created_at, updated_at) VALUES ('\(Self.organizationID)', 'Acme', 'acme', 'repository', \(yes), 1, 1)",
            "INSERT INTO runtime_environments (id, organization_id, name, name_key, kind, created_at) VALUES ('\(Self.environmentID)', '\(Self.organizationID)', 'Serverless', 'serverless', 'serverless', 1)",
            "INSERT INTO users (id, organization_id, email, email_key, display_name, role, disabled, created_at) VALUES ('\(Self.userID)', '\(Self.organizationID)', 'ada@acme.example', 'ada@acme.example', 'Ada', 'admin', \(no), 1)",
            "INSERT INTO access_tokens (id, user_id, name, prefix, secret_hash, created_at) VALUES ('\(UUID().uuidString.lowercased())', '\(Self.userID)', 'ci', 'qcs_ab', \(hash("AB")), 1)",
            "INSERT INTO console_sessions (secret_hash, user_id, csrf_token, created_at, expires_at) VALUES (\(hash("CD")), '\(Self.userID)', 'csrf', 1, 99999999999999)",
            "INSERT INTO connections (id, organization_id, name, name_key, runtime_environment_id, use_secret_vault, auth_type, base_url, created_at, updated_at) VALUES ('\(Self.connectionIDs[0])', '\(Self.organizationID)', 'Sales A', 'sales a', '\(Self.environmentID)', \(no), 'api-key', 'https://acme.eu.qlikcloud.com', 1, 1)",
            "INSERT INTO connections (id, organization_id, name, name_key, runtime_environment_id, use_secret_vault, auth_type, base_url, created_at, updated_at) VALUES ('\(Self.connectionIDs[1])', '\(Self.organizationID)', '\(Self.cyrillic)', '\(nameComparisonKey(Self.cyrillic))', '\(Self.environmentID)', \(no), 'api-key', 'https://acme.eu.qlikcloud.com', 2, 2)",
        ] + connectionIDs.map { "INSERT INTO connection_credentials (connection_id, field, source) VALUES ('\($0)', 'accessToken', 'agent')" }
    }

    static let userID = UUID().uuidString.lowercased()
    static let organizationID = UUID().uuidString.lowercased()
    static let connectionIDs = [UUID().uuidString.lowercased(), UUID().uuidString.lowercased()]
    static let environmentID = UUID().uuidString.lowercased()
    static let quiet = Logger(label: "upgrade") { _ in SwiftLogNoOpLogHandler() }

    /// A database migrated up to the old version's last step, holding `oldRows`; answers where it is.
    static func oldDatabase(_ backend: RepositoryBackend) async throws -> String {
        switch backend {
        case .sqlite:
            let path = NSTemporaryDirectory() + "qc-upgrade-\(UUID().uuidString).sqlite"
            let queue = try DatabaseQueue(path: path)
            try SQLiteMigrations.migrator.migrate(queue, upTo: lastOldStep)
            try await queue.write { db in for row in oldRows(backend) { try db.execute(sql: row) } }
            return path
        case .postgres:
            let url = try await TestPostgres.createDatabase()
            try await TestPostgres.withConnection(to: url) { connection in
                try await PostgresMigrations.migrate(connection, upTo: lastOldStep, logger: Self.quiet)
                for row in oldRows(backend) { _ = try await connection.query(PostgresQuery(unsafeSQL: row), logger: Self.quiet).collect() }
            }
            return url
        }
    }

    @Test("organizations, users, tokens, sessions and look-alike connections survive v9 to the latest step; the removed switch is recorded in the audit trail",
          arguments: RepositoryBackend.allCases)
    func upgrades(_ backend: RepositoryBackend) async throws {
        let location = try await Self.oldDatabase(backend)
        let repository: any ConnectorRepository = switch backend {
        case .sqlite: try SQLiteRepository(path: location)
        case .postgres: try await TestPostgres.repository(location)
        }
        let organization = try await repository.organization(named: "Acme")
        let events = try await repository.auditEvents(of: organization.id, limit: 10)
        #expect(events.contains { $0.action == "organization.update" && $0.actor == "migration v12" }, "\(events.map(\.action))")
        #expect(try await repository.tenantHostPatterns().isEmpty, "the switch admits nothing by itself after the upgrade")
        let users = try await repository.users(of: organization.id)
        #expect(users.map(\.email.value) == ["ada@acme.example"])
        // Issued under the credentials as they were: still valid after the upgrade, until the password changes.
        #expect(try await repository.principal(forSecretHash: Data(repeating: 0xAB, count: 32), at: Date())?.0.id.description == Self.userID)
        #expect(try await repository.session(secretHash: Data(repeating: 0xCD, count: 32), at: Date())?.user.id.description == Self.userID)
        let names = try await repository.connections(of: organization.id, matching: ConnectionFilter()).map(\.name.value)
        #expect(Set(names) == ["Sales A", Self.cyrillic])
    }

    @Test("a SQLite library older than 3.35 (no RETURNING, no DROP COLUMN) is refused before any migration runs")
    func sqliteVersion() {
        #expect(!SQLiteRepository.supports(sqliteVersion: "3.34.1"))
        #expect(!SQLiteRepository.supports(sqliteVersion: "3.31.1"))
        #expect(!SQLiteRepository.supports(sqliteVersion: "unknown"))
        #expect(SQLiteRepository.supports(sqliteVersion: "3.35.0"))
        #expect(SQLiteRepository.supports(sqliteVersion: "3.40.1"))
        #expect(SQLiteRepository.supports(sqliteVersion: "4.0"))
    }
}
