import Foundation
public import Logging
import PostgresNIO
import QlikConnections

/// The shared repository: one PostgreSQL database that several service
/// replicas (and, later, agents' tasks) use at once. Same protocols and
/// same answers as ``SQLiteRepository``; the schema is created and
/// migrated on first use, one replica at a time.
public final class PostgresRepository: RepositoryLifecycle {
    public let address: PostgresAddress
    let pool: PostgresConnectionPool
    let logger: Logger
    /// Tasks that ran out of attempts are given up by a sweep at most once a second, not on every claim.
    let giveUpSweep = Sweep(interval: 1)

    /// Connects and migrates. `connections` bounds how many sockets this process opens.
    public init(address: PostgresAddress, connections: Int = 8, logger: Logger) async throws {
        self.address = address
        self.logger = logger
        pool = try PostgresConnectionPool(address: address, maximum: max(1, connections), logger: logger)
        do {
            try await pool.withConnection { connection in try await PostgresMigrations.migrate(connection, logger: logger) }
        } catch let error as RepositoryError {
            await pool.close()
            throw error
        } catch {
            await pool.close()
            throw RepositoryError.storage(reason: "cannot prepare the schema in \(address): \(PostgresFailure.describe(error))")
        }
    }

    /// Ends this process's connections; the repository is unusable afterwards.
    public func close() async { await pool.close() }

    /// How a write takes the repository's write lock: shared by ordinary
    /// writes, exclusive for the few that change what every write checks
    /// (the master key, an organization's secrets manager). SQLite gets the
    /// same by serializing all writers.
    enum WriteLock {
        case shared, exclusive
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func write<T: Sendable>(_ lock: WriteLock = .shared, _ body: (PostgresSession) async throws -> T) async throws -> T {
        try await run { session in
            try await session.execute("BEGIN")
            do {
                switch lock {
                case .shared: try await session.execute("SELECT pg_advisory_xact_lock_shared(\(Self.writeLockKey))")
                case .exclusive: try await session.execute("SELECT pg_advisory_xact_lock(\(Self.writeLockKey))")
                }
                let result = try await body(session)
                try await session.execute("COMMIT")
                return result
            } catch {
                do {
                    try await session.execute("ROLLBACK")
                } catch let rollback {
                    // A connection left inside a failed transaction must not serve the next caller: closing it makes the pool drop it.
                    logger.warning("a rollback failed; closing its connection", metadata: ["error": "\(PostgresFailure.describe(rollback))"])
                    do {
                        try await session.connection.close()
                    } catch let closing {
                        logger.debug("the connection did not close cleanly", metadata: ["error": "\(PostgresFailure.describe(closing))"])
                    }
                }
                throw error
            }
        }
    }

    /// Runs `body` outside a transaction: for reads, and single statements.
    func read<T: Sendable>(_ body: (PostgresSession) async throws -> T) async throws -> T {
        try await run(body)
    }

    private func run<T: Sendable>(_ body: (PostgresSession) async throws -> T) async throws -> T {
        do {
            return try await pool.withConnection { connection in try await body(PostgresSession(connection: connection, logger: logger)) }
        } catch let error as RepositoryError {
            throw error
        } catch let error as PSQLError {
            throw RepositoryError.storage(reason: PostgresFailure.describe(error))
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
