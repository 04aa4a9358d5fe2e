import GRDB
import Synchronization

/// SQLite's group commit: writes that arrive while one commits wait, then
/// run together in one IMMEDIATE transaction, each inside its own savepoint,
/// and share one commit (one fsync). A write that fails rolls back to its
/// savepoint alone; nobody learns their result before the commit is durable.
final class GroupCommit: Sendable {
    private let pending = Mutex<[any PendingWrite]>([])
    /// At most this many writes share a transaction, so one commit stays short.
    private let batchLimit = 64

    func enqueue(_ write: any PendingWrite) {
        pending.withLock { $0.append(write) }
    }

    /// Runs on the database's writer: commits every write waiting now. A caller whose
    /// write an earlier drain already committed finds nothing left and returns at once.
    func drain(_ db: Database) {
        while true {
            let batch = pending.withLock { waiting -> [any PendingWrite] in
                let taken = Array(waiting.prefix(batchLimit))
                waiting.removeFirst(taken.count)
                return taken
            }
            guard !batch.isEmpty else { return }
            do {
                try db.beginTransaction(.immediate)
            } catch {
                for write in batch { write.failed(error) }
                continue
            }
            for write in batch { write.run(db) }
            do {
                try db.commit()
                for write in batch { write.committed() }
            } catch {
                for write in batch { write.failed(error) }
                Self.abandon(db)
            }
        }
    }

    /// After a failed commit the transaction may still be open: end it so the next batch starts clean.
    private static func abandon(_ db: Database) {
        guard db.isInsideTransaction else { return }
        do {
            try db.rollback()
        } catch {
            // Nothing more can be done here: SQLite rolls an unfinished transaction back when the next one begins.
            assertionFailure("rollback after a failed commit failed: \(error)")
        }
    }
}

/// One write waiting for its group's commit.
protocol PendingWrite: Sendable {
    /// Runs the write inside its own savepoint of the open transaction.
    func run(_ db: Database)
    func committed()
    func failed(_ error: any Error)
}

/// A write and, once its group committed (or failed), its outcome.
final class GroupedWrite<T: Sendable>: PendingWrite {
    private enum State {
        case waiting
        case ran(Result<T, any Error>)
        case done(Result<T, any Error>)
    }

    private let body: @Sendable (Database) throws -> T
    private let state = Mutex<State>(.waiting)

    init(_ body: @escaping @Sendable (Database) throws -> T) { self.body = body }

    func run(_ db: Database) {
        let result: Result<T, any Error>
        do {
            var value: T?
            try db.inSavepoint {
                value = try body(db)
                return .commit
            }
            if let value { result = .success(value) } else { result = .failure(RepositoryError.storage(reason: "a write produced no result")) }
        } catch {
            result = .failure(error)
        }
        state.withLock { $0 = .ran(result) }
    }

    func committed() {
        state.withLock { state in
            if case .ran(let result) = state { state = .done(result) }
        }
    }

    func failed(_ error: any Error) {
        state.withLock { $0 = .done(.failure(error)) }
    }

    /// The outcome; only asked after a drain that included this write returned.
    func outcome() throws -> T {
        let state = state.withLock { $0 }
        guard case .done(let result) = state else { throw RepositoryError.storage(reason: "a write was not committed") }
        return try result.get()
    }
}
