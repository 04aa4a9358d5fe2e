import Foundation
public import Logging
import NIOSSL
import PostgresNIO
import QlikConnections
public import ServiceLifecycle
import Synchronization

/// The shared repository: one PostgreSQL database that several service
/// replicas (and, later, agents' tasks) use at once. Same protocols and
/// same answers as ``SQLiteRepository``; the schema is created and
/// migrated on first use, one replica at a time.
///
/// A ServiceLifecycle service: its connections are lent only while ``run()`` runs, in a task of whoever uses the
/// repository (the command line runs it beside the command, in the command's own task group), and end with it.
public final class PostgresRepository: RepositoryLifecycle, Service {
    public let address: PostgresAddress
    /// postgres-nio's pool: connections opened on demand up to the limit, pinged every 30 s while idle, closed after
    /// `idleTimeout` unused (a minute unless told), and dropped when closed under a caller.
    let client: PostgresClient
    let logger: Logger
    /// A connection of its own, outside the client's pool: for migrating, and for a listener that holds one for as long as it runs.
    let direct: PostgresConnection.Configuration
    /// Tasks that ran out of attempts are given up by a sweep at most once a second, not on every claim.
    let giveUpSweep = Sweep(interval: 1)
    /// Finished by ``run()`` as it starts the client; awaited by ``untilRunning()``.
    private let started = AsyncStream<Void>.makeStream()
    /// Finished by ``close()``: ``run()`` then ends.
    private let closing = AsyncStream<Void>.makeStream()
    /// Finished when ``run()`` has ended, its connections closed.
    private let ended = AsyncStream<Void>.makeStream()
    private let runs = Mutex(false)

    /// Connects and migrates; the client lends nothing until ``run()`` runs. `connections` bounds how many sockets this process opens.
    public init(address: PostgresAddress, connections: Int = 8, idleTimeout: Duration = .seconds(60), logger: Logger) async throws {
        self.address = address
        self.logger = logger
        let directTLS: PostgresConnection.Configuration.TLS, clientTLS: PostgresClient.Configuration.TLS
        do {
            switch address.tls {
            case .disable: (directTLS, clientTLS) = (.disable, .disable)
            case .prefer: (directTLS, clientTLS) = (.prefer(try NIOSSLContext(configuration: .makeClientConfiguration())), .prefer(.makeClientConfiguration()))
            case .require: (directTLS, clientTLS) = (.require(try NIOSSLContext(configuration: .makeClientConfiguration())), .require(.makeClientConfiguration()))
            }
        } catch {
            throw RepositoryError.databaseAddress(reason: "TLS cannot be set up for \(address): \(error)")
        }
        // Migrated over a connection of its own first: an address that does not answer fails here at once, with why,
        // where the client would keep retrying for a minute.
        direct = PostgresConnection.Configuration(host: address.host, port: address.port, username: address.username,
                                                      password: address.password, database: address.database, tls: directTLS)
        try await Self.migrate(direct, address: address, logger: logger)
        var configuration = PostgresClient.Configuration(host: address.host, port: address.port, username: address.username,
                                                         password: address.password, database: address.database, tls: clientTLS)
        configuration.options.maximumConnections = max(1, connections)
        configuration.options.connectionIdleTimeout = idleTimeout
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// Runs the client, lending connections, until ``close()`` or until the task running it is cancelled; then its
    /// connections are closed. Runs once: a repository that ran, or was closed, is not run again.
    public func run() async throws {
        let first = runs.withLock { ran in
            defer { ran = true }
            return !ran
        }
        guard first else { throw RepositoryError.storage(reason: "the repository for \(address) already ran; open it again") }
        await withDiscardingTaskGroup { group in
            group.addTask {
                self.started.continuation.finish()
                await self.client.run()
            }
            for await _ in closing.stream {}  // until close(), or until this task is cancelled
            group.cancelAll()
        }
        ended.continuation.finish()
    }

    /// Returns once ``run()`` has started the client: it serves leases only once its own run() has begun, and warns
    /// on standard error about a lease that comes first.
    public func untilRunning() async {
        for await _ in started.stream {}
        await Task.yield()
    }

    private static func migrate(_ configuration: PostgresConnection.Configuration, address: PostgresAddress, logger: Logger) async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        } catch {
            throw RepositoryError.storage(reason: "cannot connect to PostgreSQL at \(address): \(PostgresFailure.describe(error))")
        }
        do {
            try await PostgresMigrations.migrate(connection, logger: logger)
        } catch {
            await close(connection, logger: logger)
            if let error = error as? RepositoryError { throw error }
            throw RepositoryError.storage(reason: "cannot prepare the schema in \(address): \(PostgresFailure.describe(error))")
        }
        await close(connection, logger: logger)
    }

    private static func close(_ connection: PostgresConnection, logger: Logger) async {
        do {
            try await connection.close()
        } catch {
            logger.debug("a PostgreSQL connection did not close cleanly", metadata: ["error": "\(PostgresFailure.describe(error))"])
        }
    }

    /// Ends ``run()`` and with it this process's connections; the repository is unusable afterwards.
    public func close() async {
        let running = runs.withLock { ran in
            defer { ran = true }  // a repository closed before it ran is not run afterwards
            return ran
        }
        closing.continuation.finish()
        if running { for await _ in ended.stream {} }
    }

    /// How a write takes the repository's write lock: shared by ordinary
    /// writes, exclusive for the few that change what every write checks
    /// (the master key, an organization's secrets manager). SQLite gets the
    /// same by serializing all writers.
    enum WriteLock {
        case shared, exclusive
    }

    /// Runs `body` in one transaction (postgres-nio's `withTransaction` on a leased connection): committed when it returns,
    /// rolled back when it throws.
    func write<T: Sendable>(_ lock: WriteLock = .shared, _ body: (PostgresSession) async throws -> T) async throws -> T {
        try await leasing { client, lent in
            try await client.withConnection { connection in
                lent = true
                do {
                    return try await connection.withTransaction(logger: logger) { connection in
                        let session = PostgresSession(connection: connection, logger: logger)
                        switch lock {
                        case .shared: try await session.execute("SELECT pg_advisory_xact_lock_shared(\(Self.writeLockKey))")
                        case .exclusive: try await session.execute("SELECT pg_advisory_xact_lock(\(Self.writeLockKey))")
                        }
                        return try await body(session)
                    }
                } catch let failed as PostgresTransactionError {
                    if let rollback = failed.rollbackError {
                        // A connection left inside a failed transaction must not serve the next caller: closing it makes the client drop it.
                        logger.warning("a rollback failed; closing its connection", metadata: ["error": "\(PostgresFailure.describe(rollback))"])
                        do {
                            try await connection.close()
                        } catch let closing {
                            logger.debug("the connection did not close cleanly", metadata: ["error": "\(PostgresFailure.describe(closing))"])
                        }
                    }
                    // The write's own error, as the stores map it (a conflict, a constraint), not the transaction's wrapper.
                    throw failed.closureError ?? failed.commitError ?? failed.beginError ?? failed
                }
            }
        }
    }

    /// Runs `body` outside a transaction: for reads, and single statements.
    func read<T: Sendable>(_ body: (PostgresSession) async throws -> T) async throws -> T {
        try await leasing { client, lent in
            try await client.withConnection { connection in
                lent = true
                return try await body(PostgresSession(connection: connection, logger: logger))
            }
        }
    }

    /// Runs `body` on the client, its failures in the repository's words: a database error as storage, and a connection the
    /// client could not lend (a minute of failures to open one, or the repository closed) as no connection.
    private func leasing<T: Sendable>(_ body: (PostgresClient, inout Bool) async throws -> T) async throws -> T {
        var leased = false
        do {
            return try await body(client, &leased)
        } catch let error as RepositoryError {
            throw error
        } catch let error as PSQLError {
            throw RepositoryError.storage(reason: PostgresFailure.describe(error))
        } catch where !leased {
            // No connection to lend: the client gave up opening one (a minute of failures), or the repository was closed.
            throw RepositoryError.storage(reason: "no connection to PostgreSQL at \(address): \(PostgresFailure.describe(error))")
        }
    }

    /// The advisory lock id of the write lock ("qlik" in ASCII).
    static let writeLockKey: Int64 = 0x716C_696B

    func audit<Change: Encodable>(
        _ session: PostgresSession, organization: OrganizationID?, actor: AuditActor, action: String,
        targetKind: String, targetID: String, targetName: String, changes: [Change], at: Date = Date()
    ) async throws {
        try await session.execute("""
            INSERT INTO audit_events (organization_id, at, actor, action, target_kind, target_id, target_name, changes)
            VALUES (\(organization?.description), \(at.millisecondsSince1970), \(actor.name), \(action), \(targetKind), \(targetID), \(targetName),
                    \(try RecordKeeping.encodedChanges(changes)))
            """)
    }

    func audit(_ session: PostgresSession, organization: OrganizationID?, actor: AuditActor, action: String,
               targetKind: String, targetID: String, targetName: String, at: Date = Date()) async throws {
        try await audit(session, organization: organization, actor: actor, action: action, targetKind: targetKind, targetID: targetID,
                        targetName: targetName, changes: [FieldChange](), at: at)
    }
}

/// One leased connection, with the few ways the repository talks to it.
struct PostgresSession {
    let connection: PostgresConnection
    let logger: Logger

    func execute(_ query: PostgresQuery) async throws {
        _ = try await connection.query(query, logger: logger).collect()
    }

    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await connection.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    func first(_ query: PostgresQuery) async throws -> PostgresRandomAccessRow? {
        try await rows(query).first
    }

    /// The first column of the first row, if there is one.
    func value<T: PostgresDecodable>(_ type: T.Type, _ query: PostgresQuery) async throws -> T? {
        guard let row = try await first(query), row[0].bytes != nil else { return nil }
        return try row[0].decode(T.self)
    }
}

/// PostgreSQL rows read the way the shared decoders ask.
extension PostgresRandomAccessRow: StoredRow {
    private func decoded<T: PostgresDecodable>(_ column: String, as type: T.Type) throws -> T {
        guard contains(column) else { throw RepositoryError.corrupt(reason: "column \(column) is missing") }
        do {
            return try self[column].decode(T.self)
        } catch {
            throw RepositoryError.corrupt(reason: "column \(column) is empty or of the wrong type")
        }
    }

    func text(_ column: String) throws -> String { try decoded(column, as: String.self) }
    func optionalText(_ column: String) throws -> String? { try decoded(column, as: String?.self) }
    func integer(_ column: String) throws -> Int64 { try decoded(column, as: Int64.self) }
    func optionalInteger(_ column: String) throws -> Int64? { try decoded(column, as: Int64?.self) }
    func flag(_ column: String) throws -> Bool { try decoded(column, as: Bool.self) }
    func bytes(_ column: String) throws -> Data { try decoded(column, as: Data.self) }
    func optionalBytes(_ column: String) throws -> Data? { try decoded(column, as: Data?.self) }
}
