import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// A few PostgreSQL connections, opened on demand and reused. It has no
/// background task to run (PostgresNIO's own client needs one): a caller
/// leases a connection for the length of a closure, and `close()` ends them.
actor PostgresConnectionPool {
    private let configuration: PostgresConnection.Configuration
    private let address: PostgresAddress
    private let maximum: Int
    private let logger: Logger
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var nextID = 0
    private var closed = false
    /// Callers waiting for a connection; `nil` hands them a free slot to open one in.
    private var waiters: [CheckedContinuation<PostgresConnection?, Never>] = []

    init(address: PostgresAddress, maximum: Int, logger: Logger) throws(RepositoryError) {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch address.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw .databaseAddress(reason: "TLS cannot be set up for \(address): \(error)")
        }
        configuration = PostgresConnection.Configuration(host: address.host, port: address.port, username: address.username,
                                                         password: address.password, database: address.database, tls: tls)
        self.address = address
        self.maximum = maximum
        self.logger = logger
    }

    /// Runs `body` on a leased connection. A connection that failed below SQL
    /// (closed, broken) is dropped rather than handed to the next caller.
    nonisolated func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await lease()
        do {
            let result = try await body(connection)
            await release(connection)
            return result
        } catch {
            let broken = connection.isClosed || (error as? PSQLError).map { $0.code != .server } ?? false
            await release(connection, broken: broken)
            throw error
        }
    }

    private func lease() async throws -> PostgresConnection {
        if closed { throw RepositoryError.storage(reason: "the connection to \(address) is closed") }
        while let connection = idle.popLast() {
            if !connection.isClosed { return connection }
            open -= 1
        }
        if open < maximum {
            open += 1
            return try await connect()
        }
        if let handed = await withCheckedContinuation({ waiters.append($0) }) { return handed }
        return try await connect()
    }

    /// Opens a connection in a slot already counted in `open`.
    private func connect() async throws -> PostgresConnection {
        nextID += 1
        do {
            return try await PostgresConnection.connect(configuration: configuration, id: nextID, logger: logger)
        } catch {
            freeSlot()
            throw RepositoryError.storage(reason: "cannot connect to PostgreSQL at \(address): \(PostgresFailure.describe(error))")
        }
    }

    private func release(_ connection: PostgresConnection, broken: Bool = false) {
        if broken || closed || connection.isClosed {
            // Not awaited: the caller's answer does not wait on a dead socket.
            Self.closeInBackground(connection, logger: logger)
            freeSlot()
        } else if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: connection)
        } else {
            idle.append(connection)
        }
    }

    /// A slot is free: a waiter opens a connection in it, or it is given back.
    private func freeSlot() {
        if !waiters.isEmpty, !closed {
            waiters.removeFirst().resume(returning: nil)
        } else {
            open -= 1
        }
    }

    /// Closes every idle connection; leased ones close as they come back.
    func close() async {
        closed = true
        let connections = idle
        idle = []
        open -= connections.count
        for connection in connections { await Self.close(connection, logger: logger) }
    }

    /// A repository dropped without `close()` still ends its connections.
    deinit {
        for connection in idle { Self.closeInBackground(connection, logger: logger) }
    }

    /// Starts closing `connection` and keeps it alive until it is closed (NIO's
    /// future holds it), so it is never released while its socket is open.
    private static func closeInBackground(_ connection: PostgresConnection, logger: Logger) {
        let closing: EventLoopFuture<Void> = connection.close()
        closing.whenComplete { result in
            if case .failure(let error) = result {
                logger.debug("a PostgreSQL connection did not close cleanly", metadata: ["error": "\(PostgresFailure.describe(error))"])
            }
            withExtendedLifetime(connection) {}
        }
    }

    private static func close(_ connection: PostgresConnection, logger: Logger) async {
        do {
            try await connection.close()
        } catch {
            logger.debug("a PostgreSQL connection did not close cleanly", metadata: ["error": "\(PostgresFailure.describe(error))"])
        }
    }
}
