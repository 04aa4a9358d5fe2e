import Foundation
import PostgresNIO

/// The task queue's busiest statements, prepared once per connection: a
/// queue drained by many agents spent most of the database's time parsing
/// and planning the same few statements again.
enum PreparedQueue {
    struct Claim: PostgresPreparedStatement {
        static let sql = """
            UPDATE tasks SET state = 'running', attempts = attempts + 1, lease_owner = $1, lease_token = $5, lease_expires_at = $2,
                started_at = COALESCE(started_at, $3)
            WHERE id = (SELECT id FROM tasks WHERE runtime_environment_id = ANY($4) AND state IN ('queued', 'running')
                            AND (state = 'queued' OR (state = 'running' AND lease_expires_at < $3 AND attempts < max_attempts))
                        ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING *
            """
        let owner: String
        /// New at each claim: the worker that held the task before, even for this owner, no longer matches it.
        let token: String
        let expires: Int64
        let now: Int64
        let environments: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 5)
            bindings.append(owner)
            bindings.append(expires)
            bindings.append(now)
            bindings.append(environments)
            bindings.append(token)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> PostgresRandomAccessRow { row.makeRandomAccess() }
    }

    /// A run's outcome and its last log lines, in one statement: the lines go in only with the outcome, that is only while `owner`'s
    /// claim `token` holds the lease of the running task of the organization (the UPDATE's row lock decides, against any claim at the same moment).
    struct FinishReporting: PostgresPreparedStatement {
        static let sql = """
            WITH done AS (
                UPDATE tasks SET state = $1, result = $2, result_gzip = $12, error = $3, finished_at = $4, lease_owner = NULL, lease_token = NULL,
                    lease_expires_at = NULL
                WHERE id = $5 AND lease_owner = $6 AND lease_token = $11 AND state = 'running' AND organization_id = $10 RETURNING id
            ), kept AS (
                INSERT INTO task_logs (task_id, sequence, at, level, message)
                SELECT d.id, COALESCE((SELECT MAX(sequence) FROM task_logs WHERE task_id = d.id), 0) + l.ord, l.at, l.level, l.message
                FROM done d, unnest($7::bigint[], $8::text[], $9::text[]) WITH ORDINALITY AS l(at, level, message, ord)
            )
            SELECT d.id FROM done d, LATERAL (SELECT pg_notify('\(TaskFinishChannel.name)', d.id)) AS notified
            """
        let state: String
        let result: StoredTaskResult
        let error: String?
        let at: Int64
        let task: String
        let owner: String
        let token: String
        let logAt: [Int64]
        let logLevel: [String]
        let logMessage: [String]
        let organization: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 12)
            bindings.append(state)
            bindings.append(result.text)
            bindings.append(error)
            bindings.append(at)
            bindings.append(task)
            bindings.append(owner)
            bindings.append(logAt)
            bindings.append(logLevel)
            bindings.append(logMessage)
            bindings.append(organization)
            bindings.append(token)
            try bindings.append(result.gzip)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> PostgresRandomAccessRow { row.makeRandomAccess() }
    }

    /// Log lines, numbered after the task's last, kept only while `owner`'s claim `token` holds the lease of the running task: the task's row is
    /// locked and its condition checked again after any change at the same moment (a finish, a claim), so a line never lands
    /// in a run that is not the writer's, nor after the outcome.
    struct AppendLog: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO task_logs (task_id, sequence, at, level, message)
            SELECT t.id, COALESCE((SELECT MAX(sequence) FROM task_logs WHERE task_id = t.id), 0) + l.ord, l.at, l.level, l.message
            FROM tasks t, unnest($3::bigint[], $4::text[], $5::text[]) WITH ORDINALITY AS l(at, level, message, ord)
            WHERE t.id = $1 AND t.lease_owner = $2 AND t.lease_token = $6 AND t.state = 'running'
            FOR SHARE OF t
            RETURNING task_id
            """
        let task: String
        let owner: String
        let token: String
        let at: [Int64]
        let level: [String]
        let message: [String]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 6)
            bindings.append(task)
            bindings.append(owner)
            bindings.append(at)
            bindings.append(level)
            bindings.append(message)
            bindings.append(token)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> PostgresRandomAccessRow { row.makeRandomAccess() }
    }

    struct Renew: PostgresPreparedStatement {
        static let sql = "UPDATE tasks SET lease_expires_at = $1 WHERE id = $2 AND lease_owner = $3 AND lease_token = $4 AND state = 'running' RETURNING id"
        let until: Int64
        let task: String
        let owner: String
        let token: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(until)
            bindings.append(task)
            bindings.append(owner)
            bindings.append(token)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> PostgresRandomAccessRow { row.makeRandomAccess() }
    }

    struct Finish: PostgresPreparedStatement {
        static let sql = """
            WITH done AS (
                UPDATE tasks SET state = $1, result = $2, result_gzip = $8, error = $3, finished_at = $4, lease_owner = NULL, lease_token = NULL,
                    lease_expires_at = NULL
                WHERE id = $5 AND lease_owner = $6 AND lease_token = $7 AND state = 'running' RETURNING id
            )
            SELECT d.id FROM done d, LATERAL (SELECT pg_notify('\(TaskFinishChannel.name)', d.id)) AS notified
            """
        let state: String
        let result: StoredTaskResult
        let error: String?
        let at: Int64
        let task: String
        let owner: String
        let token: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 8)
            bindings.append(state)
            bindings.append(result.text)
            bindings.append(error)
            bindings.append(at)
            bindings.append(task)
            bindings.append(owner)
            bindings.append(token)
            try bindings.append(result.gzip)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> PostgresRandomAccessRow { row.makeRandomAccess() }
    }

    struct AgentByToken: PostgresPreparedStatement {
        static let sql = "SELECT * FROM agents WHERE token_hash = $1"
        let hash: Data

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            try bindings.append(hash)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> PostgresRandomAccessRow { row.makeRandomAccess() }
    }
}

extension PostgresSession {
    func rows<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [PostgresRandomAccessRow]
        where Statement.Row == PostgresRandomAccessRow {
        var rows: [PostgresRandomAccessRow] = []
        for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
        return rows
    }
}
