public import Foundation
import PostgresNIO
public import QlikConnections

extension PostgresRepository: TaskQueue {
    public func enqueue(_ task: TaskRecord) async throws {
        try await read { session in
            try await session.execute("""
                INSERT INTO tasks (id, organization_id, runtime_environment_id, connection_id, connection_name, kind, payload, state, attempts,
                    max_attempts, requested_by, created_at)
                VALUES (\(task.id.description), \(task.organizationID.description), \(task.runtimeEnvironmentID.description),
                        \(task.connectionID?.description), \(task.connectionName), \(task.kind.rawValue), \(String(decoding: task.payload, as: UTF8.self)),
                        'queued', 0, \(Int32(task.maxAttempts)), \(task.requestedBy), \(task.createdAt.millisecondsSince1970))
                """)
        }
    }

    public func enqueueStarted(_ task: TaskRecord, owner: String, lease: TimeInterval, now: Date) async throws -> TaskRecord {
        let started = task.startedRun(by: owner, until: now.addingTimeInterval(lease), at: now)
        try await read { session in
            try await session.execute("""
                INSERT INTO tasks (id, organization_id, runtime_environment_id, connection_id, connection_name, kind, payload, state, attempts,
                    max_attempts, lease_owner, lease_token, lease_expires_at, requested_by, created_at, started_at)
                VALUES (\(started.id.description), \(started.organizationID.description), \(started.runtimeEnvironmentID.description),
                        \(started.connectionID?.description), \(started.connectionName), \(started.kind.rawValue),
                        \(String(decoding: started.payload, as: UTF8.self)), 'running', 1, \(Int32(started.maxAttempts)), \(owner), \(started.leaseToken),
                        \(started.leaseExpiresAt?.millisecondsSince1970), \(started.requestedBy), \(started.createdAt.millisecondsSince1970),
                        \(started.startedAt?.millisecondsSince1970))
                """)
        }
        return started
    }

    public func claim(in environments: [RuntimeEnvironmentID], owner: String, lease: TimeInterval, now: Date) async throws -> TaskRecord? {
        guard !environments.isEmpty else { return nil }
        let ids = environments.map(\.description)
        let nowMS = now.millisecondsSince1970
        let expires = now.addingTimeInterval(lease).millisecondsSince1970
        // Single statements, no transaction: SKIP LOCKED lets many workers claim side by side, each a different task.
        let sweep = giveUpSweep.due(now)
        return try await read { session in
            if sweep { try await session.execute("""
                UPDATE tasks SET state = 'failed', finished_at = \(nowMS), lease_owner = NULL, lease_token = NULL,
                    error = 'The task lost its worker ' || attempts || ' time(s) (its lease ran out each time); it is not run again.'
                WHERE id IN (SELECT id FROM tasks WHERE runtime_environment_id = ANY(\(ids)) AND state = 'running'
                             AND lease_expires_at < \(nowMS) AND attempts >= max_attempts FOR UPDATE SKIP LOCKED)
                """) }
            return try await session.rows(PreparedQueue.Claim(owner: owner, token: TaskLease.newToken(), expires: expires, now: nowMS, environments: ids)).first.map(StoredValues.task)
        }
    }

    public func renewLease(_ lease: TaskLease, owner: String, until: Date) async throws -> Bool {
        try await read { session in
            try await !session.rows(PreparedQueue.Renew(until: until.millisecondsSince1970, task: lease.task.description, owner: owner,
                                                        token: lease.token)).isEmpty
        }
    }

    public func finish(_ lease: TaskLease, owner: String, succeeded: Bool, result: Data?, error: String?, at: Date) async throws -> Bool {
        let state = succeeded ? TaskState.succeeded.rawValue : TaskState.failed.rawValue
        let stored = try StoredTaskResult(result)
        return try await read { session in
            try await !session.rows(PreparedQueue.Finish(state: state, result: stored, error: error, at: at.millisecondsSince1970,
                                                         task: lease.task.description, owner: owner, token: lease.token)).isEmpty
        }
    }

    public func finish(_ lease: TaskLease, in organization: OrganizationID, owner: String, succeeded: Bool, result: Data?, error: String?,
                       logs: [TaskLogLine], at: Date) async throws -> Bool {
        let statement = PreparedQueue.FinishReporting(
            state: succeeded ? TaskState.succeeded.rawValue : TaskState.failed.rawValue, result: try StoredTaskResult(result),
            error: error, at: at.millisecondsSince1970, task: lease.task.description, owner: owner, token: lease.token, logAt: logs.map(\.at.millisecondsSince1970),
            logLevel: logs.map(\.level), logMessage: logs.map(\.message), organization: organization.description)
        return try await read { session in try await Self.numberingLogLines { try await !session.rows(statement).isEmpty } }
    }

    /// Log lines are numbered from the task's last one; when two writes of the lease holder land at the same moment (an agent's
    /// lines sent with its renewal and with its next batch), both pick the same numbers and one is refused: it tries again, after the other's lines.
    static func numberingLogLines<T>(_ write: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await write()
            } catch where PostgresFailure.isUniqueViolation(error) && attempt < 10 {
                attempt += 1
            }
        }
    }

    public func appendLog(_ lease: TaskLease, owner: String, _ lines: [TaskLogLine]) async throws -> Bool {
        guard !lines.isEmpty else {
            return try await read { session in
                try await session.first("""
                    SELECT 1 FROM tasks WHERE id = \(lease.task.description) AND lease_owner = \(owner) AND lease_token = \(lease.token) AND state = 'running'
                    """) != nil
            }
        }
        // One statement for all the lines: kept together, or none of them when `owner`'s claim does not hold the task.
        let statement = PreparedQueue.AppendLog(task: lease.task.description, owner: owner, token: lease.token, at: lines.map(\.at.millisecondsSince1970),
                                                level: lines.map(\.level), message: lines.map(\.message))
        return try await read { session in try await Self.numberingLogLines { try await !session.rows(statement).isEmpty } }
    }

    public func task(_ id: TaskID, in organization: OrganizationID) async throws -> TaskRecord {
        let found = try await read { session in
            try await session.first("SELECT * FROM tasks WHERE id = \(id.description) AND organization_id = \(organization.description)").map(StoredValues.task)
        }
        guard let found else { throw RepositoryError.notFound(kind: "task", name: id.description, organization: nil) }
        return found
    }

    public func tasks(of organization: OrganizationID, limit: Int) async throws -> [TaskRecord] {
        try await read { session in
            try await session.rows("""
                SELECT * FROM tasks WHERE organization_id = \(organization.description) ORDER BY created_at DESC, id LIMIT \(Int64(limit))
                """).map(StoredValues.task)
        }
    }

    public func logs(of task: TaskID) async throws -> [TaskLogLine] {
        try await read { session in
            try await session.rows("SELECT * FROM task_logs WHERE task_id = \(task.description) ORDER BY sequence").map(StoredValues.logLine)
        }
    }
}
