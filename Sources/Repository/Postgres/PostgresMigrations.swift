import Logging
import PostgresNIO
import QlikConnections

/// The PostgreSQL schema, as numbered steps with the same names and tables as
/// SQLite's (``SQLiteMigrations``). A released step never changes; each database
/// records the steps it has run, and replicas starting together take turns.
/// Name keys use the C collation: they sort and compare byte-wise, as in
/// SQLite, whatever the database's locale.
enum PostgresMigrations {
    static let steps: [(name: String, statements: [String])] = [
        ("v1-connections", [
            """
            CREATE TABLE organizations (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                name_key TEXT COLLATE "C" NOT NULL UNIQUE,
                credential_storage TEXT NOT NULL CHECK (credential_storage IN ('repository', 'local-agent')),
                allow_custom_tenant_hosts BOOLEAN NOT NULL DEFAULT FALSE,
                secrets_manager TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE runtime_environments (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                name_key TEXT COLLATE "C" NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('secure-agent-group', 'serverless')),
                created_at BIGINT NOT NULL,
                UNIQUE (organization_id, name_key)
            )
            """,
            """
            CREATE TABLE connections (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                name_key TEXT COLLATE "C" NOT NULL,
                description TEXT,
                runtime_environment_id TEXT NOT NULL REFERENCES runtime_environments(id) ON DELETE RESTRICT,
                use_secret_vault BOOLEAN NOT NULL,
                auth_type TEXT NOT NULL CHECK (auth_type IN ('api-key', 'oauth2')),
                base_url TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX connections_unique_name ON connections (organization_id, name_key)",
            """
            CREATE TABLE connection_credentials (
                connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
                field TEXT NOT NULL CHECK (field IN ('accessToken', 'clientID', 'clientSecret')),
                source TEXT NOT NULL CHECK (source IN ('sealed', 'reference', 'agent')),
                key_id TEXT,
                ciphertext BYTEA,
                reference TEXT,
                PRIMARY KEY (connection_id, field),
                CHECK ((source = 'sealed') = (key_id IS NOT NULL AND ciphertext IS NOT NULL)),
                CHECK ((source = 'reference') = (reference IS NOT NULL))
            )
            """,
            """
            CREATE TABLE master_keys (
                key_id TEXT PRIMARY KEY,
                activated_at BIGINT NOT NULL,
                retired_at BIGINT
            )
            """,
            "CREATE UNIQUE INDEX master_keys_one_active ON master_keys ((retired_at IS NULL)) WHERE retired_at IS NULL",
            """
            CREATE TABLE audit_events (
                sequence BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                organization_id TEXT,
                at BIGINT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target_kind TEXT NOT NULL,
                target_id TEXT NOT NULL,
                target_name TEXT NOT NULL,
                changes TEXT NOT NULL
            )
            """,
            "CREATE INDEX audit_events_by_organization ON audit_events (organization_id, sequence)",
        ]),
        ("v2-connection-tests", [
            """
            CREATE TABLE connection_tests (
                connection_id TEXT PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
                tested_at BIGINT NOT NULL,
                succeeded BOOLEAN NOT NULL,
                summary TEXT NOT NULL,
                report TEXT NOT NULL
            )
            """,
        ]),
        ("v3-users-tokens-idempotency", [
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                email TEXT NOT NULL,
                email_key TEXT COLLATE "C" NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('admin', 'designer', 'viewer')),
                password_hash TEXT,
                disabled BOOLEAN NOT NULL DEFAULT FALSE,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX users_by_organization ON users (organization_id, email_key)",
            """
            CREATE TABLE access_tokens (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                prefix TEXT NOT NULL,
                secret_hash BYTEA NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                expires_at BIGINT,
                last_used_at BIGINT,
                revoked_at BIGINT
            )
            """,
            """
            CREATE TABLE idempotency_keys (
                organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                request_hash BYTEA NOT NULL,
                status INTEGER NOT NULL,
                body BYTEA NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (organization_id, key)
            )
            """,
        ]),
        ("v4-console-sessions", [
            """
            CREATE TABLE console_sessions (
                secret_hash BYTEA PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                csrf_token TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
        ]),
        ("v5-tasks-agents", [
            """
            CREATE TABLE agents (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                runtime_environment_id TEXT NOT NULL REFERENCES runtime_environments(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                token_hash BYTEA NOT NULL UNIQUE,
                host TEXT,
                version TEXT,
                created_at BIGINT NOT NULL,
                last_heartbeat_at BIGINT,
                UNIQUE (runtime_environment_id, name)
            )
            """,
            """
            CREATE TABLE tasks (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                runtime_environment_id TEXT NOT NULL REFERENCES runtime_environments(id) ON DELETE CASCADE,
                connection_id TEXT,
                connection_name TEXT,
                kind TEXT NOT NULL,
                payload TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
                attempts INTEGER NOT NULL,
                max_attempts INTEGER NOT NULL,
                lease_owner TEXT,
                lease_expires_at BIGINT,
                requested_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                started_at BIGINT,
                finished_at BIGINT,
                result TEXT,
                error TEXT
            )
            """,
            "CREATE INDEX tasks_ready ON tasks (runtime_environment_id, state, created_at)",
            "CREATE INDEX tasks_by_organization ON tasks (organization_id, created_at)",
            """
            CREATE TABLE task_logs (
                task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
                sequence INTEGER NOT NULL,
                at BIGINT NOT NULL,
                level TEXT NOT NULL,
                message TEXT NOT NULL,
                PRIMARY KEY (task_id, sequence)
            )
            """,
        ]),
        // Claims look only at unfinished tasks: without this they walked past every finished one, oldest first.
        ("v6-unfinished-tasks-index", [
            "CREATE INDEX tasks_unfinished ON tasks (runtime_environment_id, created_at) WHERE state IN ('queued', 'running')",
        ]),
        ("v7-secrets-manager-credentials", [
            """
            CREATE TABLE secrets_manager_credentials (
                organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                field TEXT NOT NULL CHECK (field IN ('awsAccessKeyID', 'awsSecretAccessKey', 'vaultRoleID', 'vaultSecretID')),
                key_id TEXT NOT NULL,
                ciphertext BYTEA NOT NULL,
                PRIMARY KEY (organization_id, field)
            )
            """,
        ]),
        // Each agent's own lease (NULL: the default) and its clean stop, so that availability follows the agent, not a fixed window.
        ("v8-agent-lease-and-sign-off", [
            "ALTER TABLE agents ADD COLUMN lease_ms BIGINT",
            "ALTER TABLE agents ADD COLUMN stopped_at BIGINT",
        ]),
        // A user's epoch moves on at each password change or disable; a session or token works only under the epoch it was issued in.
        ("v9-credentials-epoch", [
            "ALTER TABLE users ADD COLUMN credentials_epoch BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE access_tokens ADD COLUMN credentials_epoch BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE console_sessions ADD COLUMN credentials_epoch BIGINT NOT NULL DEFAULT 0",
        ]),
        // An e-mail address is unique in its organization only, so that creating a user never tells whether another organization has that address.
        ("v10-user-email-per-organization", [
            "ALTER TABLE users DROP CONSTRAINT users_email_key_key",
            "ALTER TABLE users ADD CONSTRAINT users_email_per_organization UNIQUE (organization_id, email_key)",
            "CREATE INDEX users_by_email ON users (email_key)",
            "DROP INDEX users_by_organization",
        ]),
        // Names that look the same ("Sales A" with a Cyrillic A) are refused like names that differ only in case; the key is
        // computed in Swift, then indexed (see backfills).
        ("v11-connection-lookalike-names", [
            "ALTER TABLE connections ADD COLUMN name_skeleton TEXT COLLATE \"C\"",
        ]),
        // Hosts outside Qlik Cloud are the operator's to admit, service-wide; no organization keeps a switch of its own any more.
        // An organization that had it on loses it, and the audit trail says so.
        ("v12-tenant-host-allow-list", [
            """
            CREATE TABLE tenant_hosts (
                pattern TEXT PRIMARY KEY NOT NULL,
                added_at BIGINT NOT NULL,
                added_by TEXT NOT NULL
            )
            """,
            """
            INSERT INTO audit_events (organization_id, at, actor, action, target_kind, target_id, target_name, changes)
                SELECT id, (extract(epoch FROM now()) * 1000)::bigint, 'migration v12', 'organization.update', 'organization', id, name,
                       '[{"field":"allowCustomTenantHosts","old":"true","new":"removed: the operator admits hosts with qlik-connector hosts allow"}]'
                FROM organizations WHERE allow_custom_tenant_hosts
            """,
            "ALTER TABLE organizations DROP COLUMN allow_custom_tenant_hosts",
        ]),
        // Console sign-in attempts per e-mail address and per client address, counted before the password check, shared by every replica.
        ("v13-sign-in-attempts", [
            """
            CREATE TABLE sign_in_attempts (
                key TEXT PRIMARY KEY,
                attempts BIGINT NOT NULL,
                window_ends_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX sign_in_attempts_window ON sign_in_attempts (window_ends_at)",
        ]),
        // A token per claim beside the lease's owner: two claims for one owner (two workers of one agent) are told apart. A task
        // running at the upgrade has none, so its holder writes nothing more; its lease runs out and it runs again.
        ("v14-task-lease-token", [
            "ALTER TABLE tasks ADD COLUMN lease_token TEXT",
        ]),
        // Entries listed in the order they were added: added_at ties within a millisecond, a sequence does not.
        ("v15-tenant-host-order", [
            "CREATE SEQUENCE tenant_hosts_position",
            "ALTER TABLE tenant_hosts ADD COLUMN position BIGINT",
            """
            UPDATE tenant_hosts SET position = ordered.n FROM (
                SELECT pattern, row_number() OVER (ORDER BY added_at, pattern) AS n FROM tenant_hosts
            ) AS ordered WHERE tenant_hosts.pattern = ordered.pattern
            """,
            "SELECT setval('tenant_hosts_position', COALESCE((SELECT max(position) FROM tenant_hosts), 0) + 1, false)",
            "ALTER TABLE tenant_hosts ALTER COLUMN position SET DEFAULT nextval('tenant_hosts_position')",
            "ALTER TABLE tenant_hosts ALTER COLUMN position SET NOT NULL",
            "ALTER SEQUENCE tenant_hosts_position OWNED BY tenant_hosts.position",
        ]),
        // Large results compressed (StoredTaskResult); rows written before keep their text in result.
        ("v16-task-result-gzip", [
            "ALTER TABLE tasks ADD COLUMN result_gzip BYTEA",
        ]),
        // Keyed as SQLite's table is since v15: by position (its rowid there), with the pattern unique beside it. v15 kept the
        // pattern as the key, so no constraint held positions unique (SchemaParityTests found it).
        ("v17-tenant-host-position-key", [
            "ALTER TABLE tenant_hosts DROP CONSTRAINT tenant_hosts_pkey",
            "ALTER TABLE tenant_hosts ADD PRIMARY KEY (position)",
            "ALTER TABLE tenant_hosts ADD CONSTRAINT tenant_hosts_pattern_key UNIQUE (pattern)",
        ]),
    ]

    /// Steps that need a value SQL cannot compute, run right after the step's statements, in its transaction.
    static let backfills: [String: @Sendable (PostgresConnection, Logger) async throws -> Void] = [
        "v11-connection-lookalike-names": backfillLookalikeNames,
    ]

    /// Each connection's look-alike key (UTS #39 skeleton), then the index that keeps them unique. Connections that
    /// already look alike are kept: the oldest takes the key, the others keep none until renamed (README: "Names that look alike").
    static func backfillLookalikeNames(_ connection: PostgresConnection, logger: Logger) async throws {
        var keys: [(id: String, key: String)] = []
        var taken: Set<[String]> = []
        let rows = try await connection.query("SELECT id, organization_id, name FROM connections ORDER BY created_at, id", logger: logger)
        for try await (id, organization, name) in rows.decode((String, String, String).self) {
            let key = nameLookalikeKey(name)
            if taken.insert([organization, key]).inserted { keys.append((id, key)) }
        }
        for (id, key) in keys {
            try await connection.query("UPDATE connections SET name_skeleton = \(key) WHERE id = \(id)", logger: logger)
        }
        try await connection.query("CREATE UNIQUE INDEX connections_unique_lookalike ON connections (organization_id, name_skeleton)", logger: logger)
    }

    /// Runs the steps this database lacks, in one transaction under an advisory lock.
    /// - Parameter last: the last step to run (nil: all); tests use it to build a database as an older version left it.
    static func migrate(_ connection: PostgresConnection, upTo last: String? = nil, logger: Logger) async throws {
        do {
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                try await connection.query("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                                           logger: logger)
                var applied: Set<String> = []
                for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) {
                    applied.insert(name)
                }
                let wanted = last.flatMap { last in steps.firstIndex { $0.name == last } }.map { steps[...$0] } ?? steps[...]
                for step in wanted where !applied.contains(step.name) {
                    for statement in step.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await backfills[step.name]?(connection, logger)
                    try await connection.query("INSERT INTO schema_migrations (name) VALUES (\(step.name))", logger: logger)
                    logger.info("repository schema migrated", metadata: ["step": "\(step.name)"])
                }
            }
        } catch let failed as PostgresTransactionError {
            // What went wrong in the steps (or at BEGIN or COMMIT), not the wrapper: the caller words it for the operator.
            throw failed.closureError ?? failed.commitError ?? failed.beginError ?? failed
        }
    }

    /// The advisory lock id migrations run under ("qlkm" in ASCII).
    static let lockKey: Int64 = 0x716C_6B6D
}
