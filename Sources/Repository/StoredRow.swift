import Foundation
import QlikConnections

/// One result row, whatever database it came from: the domain values are
/// decoded from it in one place, so SQLite and PostgreSQL cannot drift apart.
protocol StoredRow {
    func text(_ column: String) throws -> String
    func optionalText(_ column: String) throws -> String?
    func integer(_ column: String) throws -> Int64
    func optionalInteger(_ column: String) throws -> Int64?
    func flag(_ column: String) throws -> Bool
    func bytes(_ column: String) throws -> Data
    func optionalBytes(_ column: String) throws -> Data?
}

extension StoredRow {
    func id(_ column: String, of table: String) throws -> UUID {
        try UUID.stored(try text(column), column: "\(table).\(column)")
    }

    func date(_ column: String) throws -> Date { Date(millisecondsSince1970: try integer(column)) }

    func optionalDate(_ column: String) throws -> Date? { try optionalInteger(column).map(Date.init(millisecondsSince1970:)) }
}

/// The domain values, read back from rows. Stored values passed validation
/// when written; one that no longer does is reported as corrupt, by name.
enum StoredValues {
    static func organization(_ row: some StoredRow) throws -> Organization {
        do {
            guard let storage = CredentialStorage(rawValue: try row.text("credential_storage")) else {
                throw RepositoryError.corrupt(reason: "unknown credential storage '\(try row.text("credential_storage"))'")
            }
            return Organization(
                id: OrganizationID(try row.id("id", of: "organizations")),
                name: try OrganizationName(try row.text("name")),
                credentialStorage: storage,
                secretsManager: try SecretsManagerColumn.decode(try row.optionalText("secrets_manager")),
                createdAt: try row.date("created_at")
            )
        } catch let error as ConnectionValidationError {
            throw RepositoryError.corrupt(reason: "organization '\((try? row.text("name")) ?? "?")' no longer passes validation: \(error)")
        }
    }

    static func environment(_ row: some StoredRow) throws -> RuntimeEnvironment {
        do {
            guard let kind = RuntimeEnvironment.Kind(rawValue: try row.text("kind")) else {
                throw RepositoryError.corrupt(reason: "unknown runtime environment kind '\(try row.text("kind"))'")
            }
            return RuntimeEnvironment(
                id: RuntimeEnvironmentID(try row.id("id", of: "runtime_environments")),
                organizationID: OrganizationID(try row.id("organization_id", of: "runtime_environments")),
                name: try RuntimeEnvironmentName(try row.text("name")),
                kind: kind,
                createdAt: try row.date("created_at")
            )
        } catch let error as ConnectionValidationError {
            throw RepositoryError.corrupt(reason: "runtime environment '\((try? row.text("name")) ?? "?")' no longer passes validation: \(error)")
        }
    }

    static func user(_ row: some StoredRow) throws -> User {
        guard let role = UserRole(rawValue: try row.text("role")) else { throw RepositoryError.corrupt(reason: "user role '\(try row.text("role"))'") }
        let email: EmailAddress
        do { email = try EmailAddress(try row.text("email")) } catch { throw RepositoryError.corrupt(reason: "user e-mail: \(error)") }
        return User(id: UserID(try row.id("id", of: "users")), organizationID: OrganizationID(try row.id("organization_id", of: "users")),
                    email: email, displayName: try row.text("display_name"), role: role, disabled: try row.flag("disabled"),
                    createdAt: try row.date("created_at"), credentialsEpoch: try row.integer("credentials_epoch"))
    }

    /// A token row; `prefix` names the columns when the row is a join (`token_id`, `token_name`, ...).
    static func token(_ row: some StoredRow, joined: Bool = false) throws -> AccessToken {
        AccessToken(id: AccessTokenID(try row.id(joined ? "token_id" : "id", of: "access_tokens")),
                    userID: UserID(try row.id("user_id", of: "access_tokens")), name: try row.text(joined ? "token_name" : "name"),
                    prefix: try row.text("prefix"), createdAt: try row.date(joined ? "token_created_at" : "created_at"),
                    expiresAt: try row.optionalDate("expires_at"), lastUsedAt: try row.optionalDate("last_used_at"),
                    revokedAt: try row.optionalDate("revoked_at"))
    }

    static func auditEvent(_ row: some StoredRow) throws -> AuditEvent {
        AuditEvent(
            sequence: try row.integer("sequence"),
            organizationID: try row.optionalText("organization_id").map { OrganizationID(try UUID.stored($0, column: "audit_events.organization_id")) },
            at: try row.date("at"),
            actor: try row.text("actor"),
            action: try row.text("action"),
            targetKind: try row.text("target_kind"),
            targetID: try row.text("target_id"),
            targetName: try row.text("target_name"),
            changes: try JSONDecoder().decode([AuditChange].self, from: Data(try row.text("changes").utf8))
        )
    }

    /// A test verdict row; the report only when the row has it.
    static func test(_ row: some StoredRow, withReport: Bool) throws -> ConnectionTestRecord {
        ConnectionTestRecord(connectionID: ConnectionID(try row.id("connection_id", of: "connection_tests")), testedAt: try row.date("tested_at"),
                             succeeded: try row.flag("succeeded"), summary: try row.text("summary"),
                             report: withReport ? Data(try row.text("report").utf8) : Data())
    }

    /// A connection from its row and its credential rows. `managerKind` is asked
    /// only for a secret reference, whose syntax depends on the organization's manager.
    static func connection(_ row: some StoredRow, credentials: [some StoredRow], managerKind: () throws -> SecretsManagerKind?) throws -> StoredConnection {
        do {
            return try decodeConnection(row, credentials: credentials, managerKind: managerKind)
        } catch let error as ConnectionValidationError {
            throw RepositoryError.corrupt(reason: "connection '\((try? row.text("name")) ?? "?")' no longer passes validation: \(error)")
        }
    }

    private static func decodeConnection(_ row: some StoredRow, credentials rows: [some StoredRow],
                                         managerKind: () throws -> SecretsManagerKind?) throws -> StoredConnection {
        let id = ConnectionID(try row.id("id", of: "connections"))
        var credentials: [ConnectionField: Credential<SealedSecret>] = [:]
        for credential in rows {
            guard let field = ConnectionField(rawValue: try credential.text("field")) else {
                throw RepositoryError.corrupt(reason: "unknown credential field '\(try credential.text("field"))'")
            }
            switch try credential.text("source") {
            case "sealed":
                guard let keyID = try credential.optionalText("key_id") else { throw RepositoryError.corrupt(reason: "sealed credential without key id") }
                credentials[field] = .value(SealedSecret(keyID: keyID, combined: Array(try credential.bytes("ciphertext"))))
            case "reference":
                guard let kind = try managerKind() else {
                    throw RepositoryError.corrupt(reason: "connection \(id) holds a secret reference, but its organization has no secrets manager")
                }
                guard let text = try credential.optionalText("reference") else { throw RepositoryError.corrupt(reason: "reference credential without reference") }
                credentials[field] = .secretReference(try SecretReference(text, for: kind, field: field))
            default:
                credentials[field] = .onAgent
            }
        }
        // Stored URLs passed validation when written; read them back as they are.
        let baseURL = try TenantURL(try row.text("base_url"), policy: .anyWellFormedHost)
        let authentication: Authentication<SealedSecret>
        switch try row.text("auth_type") {
        case AuthenticationType.apiKey.rawValue:
            guard let token = credentials[.accessToken] else { throw RepositoryError.corrupt(reason: "connection \(id) has no access token row") }
            authentication = .apiKey(baseURL: baseURL, accessToken: token)
        default:
            guard let clientID = credentials[.clientID], let secret = credentials[.clientSecret] else {
                throw RepositoryError.corrupt(reason: "connection \(id) lacks its client id or secret row")
            }
            authentication = .oauth2(baseURL: baseURL, clientID: clientID, clientSecret: secret)
        }
        return try StoredConnection(
            id: id,
            organizationID: OrganizationID(try row.id("organization_id", of: "connections")),
            name: try ConnectionName(try row.text("name")),
            description: try ConnectionDescription(try row.optionalText("description") ?? ""),
            runtimeEnvironmentID: RuntimeEnvironmentID(try row.id("runtime_environment_id", of: "connections")),
            useSecretVault: try row.flag("use_secret_vault"),
            authentication: authentication,
            createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at")
        )
    }

    static func task(_ row: some StoredRow) throws -> TaskRecord {
        guard let kind = TaskKind(rawValue: try row.text("kind")), let state = TaskState(rawValue: try row.text("state")) else {
            throw RepositoryError.corrupt(reason: "task \(try row.text("id")) has kind '\(try row.text("kind"))' and state '\(try row.text("state"))'")
        }
        return TaskRecord(
            id: TaskID(try row.id("id", of: "tasks")), organizationID: OrganizationID(try row.id("organization_id", of: "tasks")),
            runtimeEnvironmentID: RuntimeEnvironmentID(try row.id("runtime_environment_id", of: "tasks")),
            connectionID: try row.optionalText("connection_id").map { ConnectionID(try UUID.stored($0, column: "tasks.connection_id")) },
            connectionName: try row.optionalText("connection_name"), kind: kind, payload: Data(try row.text("payload").utf8), state: state,
            attempts: Int(try row.integer("attempts")), maxAttempts: Int(try row.integer("max_attempts")), leaseOwner: try row.optionalText("lease_owner"),
            leaseToken: try row.optionalText("lease_token"), leaseExpiresAt: try row.optionalDate("lease_expires_at"), requestedBy: try row.text("requested_by"),
            createdAt: try row.date("created_at"), startedAt: try row.optionalDate("started_at"), finishedAt: try row.optionalDate("finished_at"),
            result: try StoredTaskResult(text: try row.optionalText("result"), gzip: try row.optionalBytes("result_gzip")).data(task: try row.text("id")),
            error: try row.optionalText("error"))
    }

    static func logLine(_ row: some StoredRow) throws -> TaskLogLine {
        TaskLogLine(at: try row.date("at"), level: try row.text("level"), message: try row.text("message"))
    }

    static func agent(_ row: some StoredRow) throws -> Agent {
        Agent(id: AgentID(try row.id("id", of: "agents")), organizationID: OrganizationID(try row.id("organization_id", of: "agents")),
              runtimeEnvironmentID: RuntimeEnvironmentID(try row.id("runtime_environment_id", of: "agents")), name: try row.text("name"),
              host: try row.optionalText("host"), version: try row.optionalText("version"), createdAt: try row.date("created_at"),
              lastHeartbeatAt: try row.optionalDate("last_heartbeat_at"),
              lease: try row.optionalInteger("lease_ms").map { TimeInterval($0) / 1_000 } ?? Agent.defaultLease,
              stoppedAt: try row.optionalDate("stopped_at"))
    }
}
