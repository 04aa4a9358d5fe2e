public import Foundation
import GRDB
import Logging
public import PostgresNIO
public import Repository

/// The databases a repository test runs on: every store must behave the same on both.
public enum RepositoryBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    public var description: String { rawValue }
}

/// A fresh, empty repository of one backend: a SQLite file in its own folder,
/// or a new database on the PostgreSQL server the test command started
/// (its superuser URL in `QLIK_CONNECTOR_TEST_POSTGRES`).
public struct TestRepository: Sendable {
    public let backend: RepositoryBackend
    public let repository: any ConnectorRepository
    /// The SQLite file, or the postgres:// URL (with its password) of the test's own database.
    public let location: String

    public static func make(_ backend: RepositoryBackend) async throws -> TestRepository {
        switch backend {
        case .sqlite:
            let path = NSTemporaryDirectory() + "qc-repo-\(UUID().uuidString)/repository.sqlite"
            return TestRepository(backend: backend, repository: try SQLiteRepository(path: path), location: path)
        case .postgres:
            let url = try await TestPostgres.createDatabase()
            return TestRepository(backend: backend, repository: try await TestPostgres.repository(url), location: url)
        }
    }

    /// A second, independent handle on the same database (its own connections or pool).
    public func reopen() async throws -> any ConnectorRepository {
        switch backend {
        case .sqlite: try SQLiteRepository(path: location)
        case .postgres: try await TestPostgres.repository(location)
        }
    }

    /// `SELECT expression FROM table` as text, straight from the database (the expression's SQL is the same on both).
    public func texts(_ expression: String, from table: String) async throws -> [String] {
        switch backend {
        case .sqlite:
            return try await DatabaseQueue(path: location).read { db in try String.fetchAll(db, sql: "SELECT CAST(\(expression) AS TEXT) FROM \(table)") }
        case .postgres:
            return try await TestPostgres.withConnection(to: location) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "SELECT (\(expression))::text FROM \(table)"), logger: TestPostgres.quiet)
                    .collect().map { try $0.decode(String.self) }
            }
        }
    }

    /// Runs each statement straight on the database, outside the repository: for states it never writes itself
    /// (data from before a migration).
    public func execute(_ statements: [String]) async throws {
        switch backend {
        case .sqlite:
            try await DatabaseQueue(path: location).write { db in
                for statement in statements { try db.execute(sql: statement) }
            }
        case .postgres:
            try await TestPostgres.withConnection(to: location) { connection in
                for statement in statements { _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: TestPostgres.quiet).collect() }
            }
        }
    }

    /// Runs `body` while another connection holds the SQLite database's write lock (an open `BEGIN IMMEDIATE`),
    /// as another process writing would: what `body` does must not need to write.
    public func whileWriteLocked<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: location, configuration: configuration)
        try other.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let result: T
        do {
            result = try await body()
        } catch {
            try other.inDatabase { db in try db.execute(sql: "ROLLBACK") }
            throw error
        }
        try other.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        return result
    }

    /// Every byte the database holds, as text: the SQLite files, or each PostgreSQL row
    /// rendered by the server (byte columns in hex), for planted-secret checks.
    public func storedBytes() async throws -> Data {
        switch backend {
        case .sqlite:
            let folder = (location as NSString).deletingLastPathComponent
            var bytes = Data()
            for file in try FileManager.default.contentsOfDirectory(atPath: folder) {
                bytes += try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file))
            }
            return bytes
        case .postgres:
            return try await TestPostgres.storedBytes(of: location)
        }
    }
}

/// The test command's PostgreSQL server.
public enum TestPostgres {
    static let quiet = Logger(label: "test-postgres") { _ in SwiftLogNoOpLogHandler() }

    /// A PostgreSQL repository opened and running for a test, in a task of its own until the test closes it or the test process
    /// ends (a test has no command scope to run it in, as the command line does). Its idle connections close after 2 s, so the
    /// many repositories a test run opens and leaves do not hold the server's connections.
    public static func repository(_ url: String, connections: Int = 8, logger: Logger? = nil) async throws -> PostgresRepository {
        let repository = try await PostgresRepository(address: try PostgresAddress(url), connections: connections, idleTimeout: .seconds(2),
                                                      logger: logger ?? quiet)
        Task {
            do {
                try await repository.run()
            } catch {
                FileHandle.standardError.write(Data("a test's PostgreSQL repository did not run: \(error)\n".utf8))
            }
        }
        await repository.untilRunning()
        return repository
    }

    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            "QLIK_CONNECTOR_TEST_POSTGRES is not set: the PostgreSQL tests need the server that scripts/test starts; run the tests with 'bash scripts/test'."
        }
    }

    /// The superuser URL of the server, from the test command.
    public static func serverURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["QLIK_CONNECTOR_TEST_POSTGRES"], !url.isEmpty else { throw Missing() }
        return url
    }

    /// Creates an empty database and answers its URL.
    public static func createDatabase() async throws -> String {
        let server = try serverURL()
        let name = "qc_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await withConnection(to: server) { connection in
            _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: quiet).collect()
        }
        guard var components = URLComponents(string: server) else { throw Missing() }
        components.path = "/" + name
        guard let url = components.string else { throw Missing() }
        return url
    }

    /// Every row of every table of the database at `url`, rendered as text by the server (byte columns in hex).
    public static func storedBytes(of url: String) async throws -> Data {
        try await withConnection(to: url) { connection in
            var text = ""
            let tables = try await connection.query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
                                                    logger: quiet).collect().map { try $0.decode(String.self) }
            for table in tables {
                for row in try await connection.query(PostgresQuery(unsafeSQL: "SELECT t::text FROM \"\(table)\" t"), logger: quiet).collect() {
                    text += try row.decode(String.self) + "\n"
                }
            }
            return Data(text.utf8)
        }
    }

    public static func withConnection<T: Sendable>(to url: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let address = try PostgresAddress(url)
        guard let components = URLComponents(string: url) else { throw Missing() }
        let configuration = PostgresConnection.Configuration(host: address.host, port: address.port, username: address.username,
                                                             password: components.password, database: address.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: quiet)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try await connection.close()
            throw error
        }
    }
}
