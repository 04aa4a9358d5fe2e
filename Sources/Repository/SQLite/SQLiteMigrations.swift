import GRDB
import QlikConnections

/// The schema, as numbered steps. A released step never changes: later
/// versions append steps, and each database records which it has run.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-connections") { db in
            try db.execute(sql: """
                CREATE TABLE organizations (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    name_key TEXT NOT NULL UNIQUE,
                    credential_storage TEXT NOT NULL CHECK (credential_storage IN ('repository', 'local-agent')),
                    allow_custom_tenant_hosts INTEGER NOT NULL DEFAULT 0,
                    secrets_manager TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE TABLE runtime_environments (
                    id TEXT PRIMARY KEY NOT NULL,
                    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    name_key TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('secure-agent-group', 'serverless')),
                    created_at INTEGER NOT NULL,
                    UNIQUE (organization_id, name_key)
                );
                CREATE TABLE connections (
                    id TEXT PRIMARY KEY NOT NULL,
                    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    name_key TEXT NOT NULL,
                    description TEXT,
                    runtime_environment_id TEXT NOT NULL REFERENCES runtime_environments(id) ON DELETE RESTRICT,
                    use_secret_vault INTEGER NOT NULL,
                    auth_type TEXT NOT NULL CHECK (auth_type IN ('api-key', 'oauth2')),
                    base_url TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE UNIQUE INDEX connections_unique_name ON connections (organization_id, name_key);
                CREATE TABLE connection_credentials (
                    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
                    field TEXT NOT NULL CHECK (field IN ('accessToken', 'clientID', 'clientSecret')),
                    source TEXT NOT NULL CHECK (source IN ('sealed', 'reference', 'agent')),
                    key_id TEXT,
                    ciphertext BLOB,
                    reference TEXT,
                    PRIMARY KEY (connection_id, field),
                    CHECK ((source = 'sealed') = (key_id IS NOT NULL AND ciphertext IS NOT NULL)),
                    CHECK ((source = 'reference') = (reference IS NOT NULL))
                );
                CREATE TABLE master_keys (
                    key_id TEXT PRIMARY KEY NOT NULL,
                    activated_at INTEGER NOT NULL,
                    retired_at INTEGER
                );
                CREATE UNIQUE INDEX master_keys_one_active ON master_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;
                CREATE TABLE audit_events (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    organization_id TEXT,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target_kind TEXT NOT NULL,
                    target_id TEXT NOT NULL,
                    target_name TEXT NOT NULL,
                    changes TEXT NOT NULL
                );
                CREATE INDEX audit_events_by_organization ON audit_events (organization_id, sequence);
                """)
        }
        migrator.registerMigration("v2-connection-tests") { db in
            try db.execute(sql: """
                CREATE TABLE connection_tests (
                    connection_id TEXT PRIMARY KEY NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
                    tested_at INTEGER NOT NULL,
                    succeeded INTEGER NOT NULL,
                    summary TEXT NOT NULL,
                    report TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3-users-tokens-idempotency") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY NOT NULL,
                    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    email TEXT NOT NULL,
                    email_key TEXT NOT NULL UNIQUE,
                    display_name TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('admin', 'designer', 'viewer')),
                    password_hash TEXT,
                    disabled INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX users_by_organization ON users (organization_id, email_key);
                CREATE TABLE access_tokens (
                    id TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    prefix TEXT NOT NULL,
                    secret_hash BLOB NOT NULL UNIQUE,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER,
                    last_used_at INTEGER,
                    revoked_at INTEGER
                );
                CREATE TABLE idempotency_keys (
                    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    request_hash BLOB NOT NULL,
                    status INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (organization_id, key)
                );
                """)
        }
        migrator.registerMigration("v4-console-sessions") { db in
            try db.execute(sql: """
                CREATE TABLE console_sessions (
                    secret_hash BLOB PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    csrf_token TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v5-tasks-agents") { db in
            try db.execute(sql: """
                CREATE TABLE agents (
                    id TEXT PRIMARY KEY NOT NULL,
                    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    runtime_environment_id TEXT NOT NULL REFERENCES runtime_environments(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    token_hash BLOB NOT NULL UNIQUE,
                    host TEXT,
                    version TEXT,
                    created_at INTEGER NOT NULL,
                    last_heartbeat_at INTEGER,
                    UNIQUE (runtime_environment_id, name)
                );
                CREATE TABLE tasks (
                    id TEXT PRIMARY KEY NOT NULL,
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
                    lease_expires_at INTEGER,
                    requested_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    started_at INTEGER,
                    finished_at INTEGER,
                    result TEXT,
                    error TEXT
                );
                CREATE INDEX tasks_ready ON tasks (runtime_environment_id, state, created_at);
                CREATE INDEX tasks_by_organization ON tasks (organization_id, created_at);
                CREATE TABLE task_logs (
                    task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
                    sequence INTEGER NOT NULL,
                    at INTEGER NOT NULL,
                    level TEXT NOT NULL,
                    message TEXT NOT NULL,
                    PRIMARY KEY (task_id, sequence)
                );
                """)
        }
        migrator.registerMigration("v6-unfinished-tasks-index") { db in
            // Claims look only at unfinished tasks: without this they walked past every finished one, oldest first.
            try db.execute(sql: "CREATE INDEX tasks_unfinished ON tasks (runtime_environment_id, created_at) WHERE state IN ('queued', 'running')")
        }
        migrator.registerMigration("v7-secrets-manager-credentials") { db in
            // The secrets manager's own credentials, when the organization keeps them rather than the agents' environment.
            try db.execute(sql: """
                CREATE TABLE secrets_manager_credentials (
                    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    field TEXT NOT NULL CHECK (field IN ('awsAccessKeyID', 'awsSecretAccessKey', 'vaultRoleID', 'vaultSecretID')),
                    key_id TEXT NOT NULL,
                    ciphertext BLOB NOT NULL,
                    PRIMARY KEY (organization_id, field)
                )
                """)
        }
        migrator.registerMigration("v8-agent-lease-and-sign-off") { db in
            // Each agent's own lease (NULL: the default) and its clean stop, so that availability follows the agent, not a fixed window.
            try db.execute(sql: """
                ALTER TABLE agents ADD COLUMN lease_ms INTEGER;
                ALTER TABLE agents ADD COLUMN stopped_at INTEGER;
                """)
        }
        migrator.registerMigration("v9-credentials-epoch") { db in
            // A user's epoch moves on at each password change or disable; a session or token works only under the epoch it was issued in.
            try db.execute(sql: """
                ALTER TABLE users ADD COLUMN credentials_epoch INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE access_tokens ADD COLUMN credentials_epoch INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE console_sessions ADD COLUMN credentials_epoch INTEGER NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v10-user-email-per-organization") { db in
            // An e-mail address is unique in its organization only, so that creating a user never tells whether another organization
            // has that address. SQLite cannot drop a column's UNIQUE: the table is rebuilt (foreign keys are checked after the step).
            try db.execute(sql: """
                CREATE TABLE users_per_organization (
                    id TEXT PRIMARY KEY NOT NULL,
                    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    email TEXT NOT NULL,
                    email_key TEXT NOT NULL,
                    display_name TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('admin', 'designer', 'viewer')),
                    password_hash TEXT,
                    disabled INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL,
                    credentials_epoch INTEGER NOT NULL DEFAULT 0,
                    UNIQUE (organization_id, email_key)
                );
                INSERT INTO users_per_organization (id, organization_id, email, email_key, display_name, role, password_hash, disabled, created_at,
                                                    credentials_epoch)
                    SELECT id, organization_id, email, email_key, display_name, role, password_hash, disabled, created_at, credentials_epoch FROM users;
                DROP TABLE users;
                ALTER TABLE users_per_organization RENAME TO users;
                CREATE INDEX users_by_email ON users (email_key);
                """)
        }
        migrator.registerMigration("v11-connection-lookalike-names") { db in
            // Names that look the same ("Sales A" with a Cyrillic A) are refused like names that differ only in case. The key is
            // computed in Swift (UTS #39 skeleton). Connections that already look alike are kept: the oldest takes the key, the
            // others keep none until renamed (README: "Names that look alike").
            try db.execute(sql: "ALTER TABLE connections ADD COLUMN name_skeleton TEXT")
            var taken: Set<[String]> = []
            for row in try Row.fetchAll(db, sql: "SELECT id, organization_id, name FROM connections ORDER BY created_at, id") {
                let organization: String = row["organization_id"], name: String = row["name"]
                let key = nameLookalikeKey(name)
                guard taken.insert([organization, key]).inserted else { continue }
                try db.execute(sql: "UPDATE connections SET name_skeleton = ? WHERE id = ?", arguments: [key, row["id"] as String])
            }
            try db.execute(sql: "CREATE UNIQUE INDEX connections_unique_lookalike ON connections (organization_id, name_skeleton)")
        }
        migrator.registerMigration("v12-tenant-host-allow-list") { db in
            // Hosts outside Qlik Cloud are the operator's to admit, service-wide; no organization keeps a switch of its own any more.
            // An organization that had it on loses it, and the audit trail says so.
            try db.execute(sql: """
                CREATE TABLE tenant_hosts (
                    pattern TEXT PRIMARY KEY NOT NULL,
                    added_at INTEGER NOT NULL,
                    added_by TEXT NOT NULL
                );
                INSERT INTO audit_events (organization_id, at, actor, action, target_kind, target_id, target_name, changes)
                    SELECT id, CAST(strftime('%s', 'now') AS INTEGER) * 1000, 'migration v12', 'organization.update', 'organization', id, name,
                           '[{"field":"allowCustomTenantHosts","old":"true","new":"removed: the operator admits hosts with qlik-connector hosts allow"}]'
                    FROM organizations WHERE allow_custom_tenant_hosts <> 0;
                ALTER TABLE organizations DROP COLUMN allow_custom_tenant_hosts;
                """)
        }
        migrator.registerMigration("v13-sign-in-attempts") { db in
            // Console sign-in attempts per e-mail address and per client address, counted before the password check, shared by every process.
            try db.execute(sql: """
                CREATE TABLE sign_in_attempts (
                    key TEXT PRIMARY KEY NOT NULL,
                    attempts INTEGER NOT NULL,
                    window_ends_at INTEGER NOT NULL
                );
                CREATE INDEX sign_in_attempts_window ON sign_in_attempts (window_ends_at);
                """)
        }
        migrator.registerMigration("v14-task-lease-token") { db in
            // A token per claim beside the lease's owner: two claims for one owner (two workers of one agent) are told apart. A task
            // running at the upgrade has none, so its holder writes nothing more; its lease runs out and it runs again.
            try db.execute(sql: "ALTER TABLE tasks ADD COLUMN lease_token TEXT")
        }
        migrator.registerMigration("v15-tenant-host-order") { db in
            // Entries listed in the order they were added: added_at ties within a millisecond, a row number does not.
            try db.execute(sql: """
                CREATE TABLE tenant_hosts_ordered (
                    position INTEGER PRIMARY KEY AUTOINCREMENT,
                    pattern TEXT NOT NULL UNIQUE,
                    added_at INTEGER NOT NULL,
                    added_by TEXT NOT NULL
                );
                INSERT INTO tenant_hosts_ordered (pattern, added_at, added_by)
                    SELECT pattern, added_at, added_by FROM tenant_hosts ORDER BY added_at, pattern;
                DROP TABLE tenant_hosts;
                ALTER TABLE tenant_hosts_ordered RENAME TO tenant_hosts;
                """)
        }
        migrator.registerMigration("v16-task-result-gzip") { db in
            // Large results compressed (StoredTaskResult); rows written before keep their text in result.
            try db.execute(sql: "ALTER TABLE tasks ADD COLUMN result_gzip BLOB")
        }
        migrator.registerMigration("v17-tenant-host-position-key") { _ in
            // Nothing to change here: SQLite's tenant_hosts has been keyed by position, with the pattern unique, since v15.
            // The step keeps both backends' step lists the same; PostgreSQL's catches up in it.
        }
        return migrator
    }
}
