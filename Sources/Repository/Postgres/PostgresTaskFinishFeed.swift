import Foundation
import PostgresNIO
public import QlikConnections

// PostgreSQL only (no twin: a SQLite file has no channel to announce on). Every statement that finishes a task also calls pg_notify (PostgresPreparedStatements: Finish, FinishReporting); the
// notification is sent when that statement commits, to every session listening, in this process or another.
extension PostgresRepository: TaskFinishFeed {
    public func followTaskFinishes(listening: @Sendable () -> Void, _ heard: @Sendable (TaskID) -> Void) async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: direct, id: 0, logger: logger)
        } catch {
            throw RepositoryError.storage(reason: "cannot connect to PostgreSQL at \(address) to listen for finished tasks: \(PostgresFailure.describe(error))")
        }
        do {
            try await connection.listen(on: TaskFinishChannel.name) { notifications in
                listening()
                for try await notification in notifications {
                    guard let id = UUID(uuidString: notification.payload) else {
                        logger.debug("a task-finish notification without a task id was ignored", metadata: ["payload": "\(notification.payload)"])
                        continue
                    }
                    heard(TaskID(id))
                }
            }
        } catch is CancellationError {
            // Cancelled while listening: the caller stopped following, which is how this ends.
        } catch {
            await close(connection)
            if Task.isCancelled { return }
            throw RepositoryError.storage(reason: "listening for finished tasks on \(address) failed: \(PostgresFailure.describe(error))")
        }
        await close(connection)
    }

    private func close(_ connection: PostgresConnection) async {
        do {
            try await connection.close()
        } catch {
            logger.debug("the task-finish listener's connection did not close cleanly", metadata: ["error": "\(PostgresFailure.describe(error))"])
        }
    }
}
