public import Foundation
import GRDB
public import QlikConnections

extension SQLiteRepository: TaskQueue {
    public func enqueue(_ task: TaskRecord) async throws {
        try await write { db in
            try db.cachedStatement(sql: """
                INSERT INTO tasks (id, organization_id, runtime_environment_id, connection_id, connection_name, kind, payload, state, attempts,
                    max_attempts, requested_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)
                """).execute(arguments: [task.id.description, task.organizationID.description, task.runtimeEnvironmentID.description,
                                         task.connectionID?.description, task.connectionName, task.kind.rawValue,
                                         String(decoding: task.payload, as: UTF8.self), task.maxAttempts, task.requestedBy,
                                         task.createdAt.millisecondsSince1970])
        }
    }

    public func enqueueStarted(_ task: TaskRecord, owner: String, lease: TimeInterval, now: Date) async throws -> TaskRecord {
        let started = task.startedRun(by: owner, until: now.addingTimeInterval(lease), at: now)
        try await write { db in
            try db.cachedStatement(sql: """
                INSERT INTO tasks (id, organization_id, runtime_environment_id, connection_id, connection_name, kind, payload, state, attempts,
                    max_attempts, lease_owner, lease_token, lease_expires_at, requested_by, created_at, started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'running', 1, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [started.id.description, started.organizationID.description, started.runtimeEnvironmentID.description,
                                         started.connectionID?.description, started.connectionName, started.kind.rawValue,
                                         String(decoding: started.payload, as: UTF8.self), started.maxAttempts, owner, started.leaseToken,
                                         started.leaseExpiresAt?.millisecondsSince1970, started.requestedBy, started.createdAt.millisecondsSince1970,
                                         started.startedAt?.millisecondsSince1970])
        }
        return started
    }

    public func claim(in environments: [RuntimeEnvironmentID], owner: String, lease: TimeInterval, now: Date) async throws -> TaskRecord? {
        guard !environments.isEmpty else { return nil }
        let ids = environments.map(\.description)
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        let nowMS = now.millisecondsSince1970
        let ready = """
            FROM tasks WHERE runtime_environment_id IN (\(marks)) AND state IN ('queued', 'running')
                AND (state = 'queued' OR (state = 'running' AND lease_expires_at < ? AND attempts < max_attempts))
            """
        let readyArguments = StatementArguments(ids) + [nowMS]
        let sweep = giveUpSweep.due(now)
        // Idle workers poll often: only a ready task, or a sweep that is due, takes the write lock (and its commit).
        if !sweep {
            guard try await read({ db in try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 \(ready))", arguments: readyArguments) ?? false }) else {
                return nil
            }
        }
        return try await write { db in
            if sweep {
                // A task whose lease ran out as often as it may run is given up, not run again.
                try db.execute(sql: """
                    UPDATE tasks SET state = 'failed', finished_at = ?, lease_owner = NULL, lease_token = NULL,
                        error = 'The task lost its worker ' || attempts || ' time(s) (its lease ran out each time); it is not run again.'
                    WHERE runtime_environment_id IN (\(marks)) AND state = 'running' AND lease_expires_at < ? AND attempts >= max_attempts
                    """, arguments: StatementArguments([nowMS] + ids.map { $0 as (any DatabaseValueConvertible)? } + [nowMS]))
            }
            guard let id = try String.fetchOne(db, sql: "SELECT id \(ready) ORDER BY created_at LIMIT 1", arguments: readyArguments) else { return nil }
            // A new token at each claim: the worker that held the task before, even for this owner, no longer matches it.
            try db.cachedStatement(sql: """
                UPDATE tasks SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_token = ?, lease_expires_at = ?,
                    started_at = COALESCE(started_at, ?) WHERE id = ?
                """).execute(arguments: [owner, TaskLease.newToken(), now.addingTimeInterval(lease).millisecondsSince1970, nowMS, id])
            return try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM tasks WHERE id = ?"), arguments: [id]).map(StoredValues.task)
        }
    }

    public func renewLease(_ lease: TaskLease, owner: String, until: Date) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE tasks SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND lease_token = ? AND state = 'running'")
                .execute(arguments: [until.millisecondsSince1970, lease.task.description, owner, lease.token])
            return db.changesCount == 1
        }
    }

    public func finish(_ lease: TaskLease, owner: String, succeeded: Bool, result: Data?, error: String?, at: Date) async throws -> Bool {
        // Compressed before the write lock is taken: other writers do not wait on it.
        let stored = try StoredTaskResult(result)
        return try await write { db in
            try db.cachedStatement(sql: """
                UPDATE tasks SET state = ?, result = ?, result_gzip = ?, error = ?, finished_at = ?, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
                WHERE id = ? AND lease_owner = ? AND lease_token = ? AND state = 'running'
                """).execute(arguments: [succeeded ? TaskState.succeeded.rawValue : TaskState.failed.rawValue,
                                         stored.text, stored.gzip, error, at.millisecondsSince1970, lease.task.description, owner, lease.token])
            return db.changesCount == 1
        }
    }

    public func finish(_ lease: TaskLease, in organization: OrganizationID, owner: String, succeeded: Bool, result: Data?, error: String?,
                       logs: [TaskLogLine], at: Date) async throws -> Bool {
        let stored = try StoredTaskResult(result)
        return try await write { db in
            // Lines first, under the same condition as the outcome: one transaction, so both are written or neither.
            guard try Self.append(logs, to: lease, in: organization, owner: owner, in: db) else { return false }
            try db.cachedStatement(sql: """
                UPDATE tasks SET state = ?, result = ?, result_gzip = ?, error = ?, finished_at = ?, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
                WHERE id = ? AND lease_owner = ? AND lease_token = ? AND state = 'running' AND organization_id = ?
                """).execute(arguments: [succeeded ? TaskState.succeeded.rawValue : TaskState.failed.rawValue,
                                         stored.text, stored.gzip, error, at.millisecondsSince1970, lease.task.description, owner,
                                         lease.token, organization.description])
            return db.changesCount == 1
        }
    }

    public func appendLog(_ lease: TaskLease, owner: String, _ lines: [TaskLogLine]) async throws -> Bool {
        guard !lines.isEmpty else {
            return try await read { db in
                try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM tasks WHERE id = ? AND lease_owner = ? AND lease_token = ? AND state = 'running')",
                                  arguments: [lease.task.description, owner, lease.token]) ?? false
            }
        }
        return try await write { db in try Self.append(lines, to: lease, in: nil, owner: owner, in: db) }
    }

    /// Inserts each line only while `owner`'s claim `lease` holds the running task (of `organization`, when given): a conditional
    /// INSERT, so the check and the write are one statement; false (nothing written) when it does not. No lines: whether it holds it.
    private static func append(_ lines: [TaskLogLine], to lease: TaskLease, in organization: OrganizationID?, owner: String, in db: Database) throws -> Bool {
        guard !lines.isEmpty else {
            return try Bool.fetchOne(db, sql: """
                SELECT EXISTS(SELECT 1 FROM tasks WHERE id = ? AND lease_owner = ? AND lease_token = ? AND state = 'running'
                              AND organization_id = COALESCE(?, organization_id))
                """, arguments: [lease.task.description, owner, lease.token, organization?.description]) ?? false
        }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO task_logs (task_id, sequence, at, level, message)
            SELECT t.id, COALESCE((SELECT MAX(sequence) FROM task_logs WHERE task_id = t.id), 0) + 1, ?, ?, ?
            FROM tasks t WHERE t.id = ? AND t.lease_owner = ? AND t.lease_token = ? AND t.state = 'running'
                AND t.organization_id = COALESCE(?, t.organization_id)
            """)
        for line in lines {
            try insert.execute(arguments: [line.at.millisecondsSince1970, line.level, line.message, lease.task.description, owner, lease.token,
                                           organization?.description])
            // The write transaction holds the database: the first line decides for all.
            guard db.changesCount == 1 else { return false }
        }
        return true
    }

    public func task(_ id: TaskID, in organization: OrganizationID) async throws -> TaskRecord {
        let found = try await read { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM tasks WHERE id = ? AND organization_id = ?"),
                             arguments: [id.description, organization.description]).map(StoredValues.task)
        }
        guard let found else { throw RepositoryError.notFound(kind: "task", name: id.description, organization: nil) }
        return found
    }

    public func tasks(of organization: OrganizationID, limit: Int) async throws -> [TaskRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tasks WHERE organization_id = ? ORDER BY created_at DESC, id LIMIT ?",
                             arguments: [organization.description, limit]).map(StoredValues.task)
        }
    }

    public func logs(of task: TaskID) async throws -> [TaskLogLine] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM task_logs WHERE task_id = ? ORDER BY sequence", arguments: [task.description]).map(StoredValues.logLine)
        }
    }
}
