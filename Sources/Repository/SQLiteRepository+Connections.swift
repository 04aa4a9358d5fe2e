import Foundation
import GRDB
public import QlikConnections

extension SQLiteRepository: ConnectionStore {
    public func createConnection(_ connection: StoredConnection, by actor: AuditActor) async throws {
        try await write { db in
            do {
                try db.execute(
                    sql: """
                        INSERT INTO connections (id, organization_id, name, name_key, description, runtime_environment_id,
                            use_secret_vault, auth_type, base_url, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: Self.columns(connection) + [connection.createdAt.millisecondsSince1970, connection.updatedAt.millisecondsSince1970]
                )
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw RepositoryError.duplicateName(kind: "connection", name: try Self.existingName(db, connection) ?? connection.name.value)
            }
            try self.insertCredentials(db, connection)
            try self.audit(db, organization: connection.organizationID, actor: actor, action: "connection.create",
                           targetKind: "connection", targetID: connection.id.description, targetName: connection.name.value,
                           changes: Self.creationRecord(connection), at: connection.createdAt)
        }
    }

    public func connections(of organization: OrganizationID, matching filter: ConnectionFilter) async throws -> [StoredConnection] {
        try await read { db in
            let (conditions, arguments) = Self.conditions(organization, filter)
            return try Row.fetchAll(db, sql: "SELECT * FROM connections WHERE \(conditions) ORDER BY name_key", arguments: arguments)
                .map { try Self.connection(db, $0) }
        }
    }

    /// The WHERE clause of a filtered list, and its arguments.
    static func conditions(_ organization: OrganizationID, _ filter: ConnectionFilter) -> (String, StatementArguments) {
        var conditions = "organization_id = ?"
        var arguments: StatementArguments = [organization.description]
        if let type = filter.authenticationType {
            conditions += " AND auth_type = ?"
            arguments += [type.rawValue]
        }
        if let environment = filter.runtimeEnvironmentID {
            conditions += " AND runtime_environment_id = ?"
            arguments += [environment.description]
        }
        if let fragment = filter.nameContains.map(nameComparisonKey), !fragment.isEmpty {
            conditions += " AND instr(name_key, ?) > 0"
            arguments += [fragment]
        }
        return (conditions, arguments)
    }

    public func connectionPage(of organization: OrganizationID, matching filter: ConnectionFilter, after cursor: String?, limit: Int) async throws -> ConnectionPage {
        let after = try cursor.map { try ConnectionName($0).comparisonKey }
        return try await read { db in
            let (conditions, arguments) = Self.conditions(organization, filter)
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM connections WHERE \(conditions)", arguments: arguments) ?? 0
            var pageArguments = arguments
            var pageConditions = conditions
            if let after {
                pageConditions += " AND name_key > ?"
                pageArguments += [after]
            }
            pageArguments += [limit]
            // Only the page's rows are read and checked: a list stays quick however many connections there are.
            let items = try Row.fetchAll(db, sql: "SELECT * FROM connections WHERE \(pageConditions) ORDER BY name_key LIMIT ?", arguments: pageArguments)
                .map { try Self.connection(db, $0) }
            return ConnectionPage(items: items, total: total)
        }
    }

    public func connectionVersionPage(of organization: OrganizationID, matching filter: ConnectionFilter, after cursor: String?, limit: Int,
                                      known: @escaping @Sendable (ConnectionVersion) -> Bool) async throws -> ConnectionVersionPage {
        let after = try cursor.map { try ConnectionName($0).comparisonKey }
        return try await read { db in
            var (conditions, arguments) = Self.conditions(organization, filter)
            let total = try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM connections WHERE \(conditions)"), arguments: arguments) ?? 0
            if let after {
                conditions += " AND name_key > ?"
                arguments += [after]
            }
            arguments += [limit]
            let rows = try Row.fetchAll(try db.cachedStatement(sql: "SELECT id, updated_at FROM connections WHERE \(conditions) ORDER BY name_key LIMIT ?"),
                                        arguments: arguments)
            let versions = try rows.map { row in
                ConnectionVersion(id: ConnectionID(try UUID.stored(row["id"], column: "connections.id")), updatedAt: Date(millisecondsSince1970: row["updated_at"]))
            }
            // Only what the reader has not built before is read in full and checked.
            let unknown = try versions.filter { !known($0) }.compactMap { version in
                try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM connections WHERE id = ?"), arguments: [version.id.description])
                    .map { try Self.connection(db, $0) }
            }
            let tests = try Self.lastTests(db, versions.map(\.id))
            return ConnectionVersionPage(versions: versions, total: total, unknown: unknown, lastTests: tests)
        }
    }

    public func connection(named name: String, in organization: OrganizationID) async throws -> StoredConnection {
        let key = try ConnectionName(name).comparisonKey
        let found = try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM connections WHERE organization_id = ? AND name_key = ?",
                             arguments: [organization.description, key]).map { try Self.connection(db, $0) }
        }
        guard let found else { throw RepositoryError.notFound(kind: "connection", name: name, organization: nil) }
        return found
    }

    public func updateConnection(_ connection: StoredConnection, replacing previous: StoredConnection, by actor: AuditActor) async throws {
        precondition(connection.id == previous.id, "an update replaces the same connection")
        try await write { db in
            do {
                try db.execute(
                    sql: """
                        UPDATE connections SET id = ?, organization_id = ?, name = ?, name_key = ?, description = ?,
                            runtime_environment_id = ?, use_secret_vault = ?, auth_type = ?, base_url = ?, updated_at = ?
                        WHERE id = ? AND updated_at = ?
                        """,
                    arguments: Self.columns(connection)
                        + [connection.updatedAt.millisecondsSince1970, previous.id.description, previous.updatedAt.millisecondsSince1970]
                )
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw RepositoryError.duplicateName(kind: "connection", name: try Self.existingName(db, connection) ?? connection.name.value)
            }
            guard db.changesCount == 1 else { throw RepositoryError.changedMeanwhile(name: previous.name.value) }
            try db.execute(sql: "DELETE FROM connection_credentials WHERE connection_id = ?", arguments: [connection.id.description])
            try self.insertCredentials(db, connection)
            try self.audit(db, organization: connection.organizationID, actor: actor, action: "connection.update",
                           targetKind: "connection", targetID: connection.id.description, targetName: connection.name.value,
                           changes: connection.changes(from: previous), at: connection.updatedAt)
        }
    }

    public func deleteConnection(named name: String, in organization: OrganizationID, by actor: AuditActor) async throws -> StoredConnection {
        let key = try ConnectionName(name).comparisonKey
        return try await write { db in
            guard let connection = try Row.fetchOne(db, sql: "SELECT * FROM connections WHERE organization_id = ? AND name_key = ?",
                                                    arguments: [organization.description, key]).map({ try Self.connection(db, $0) }) else {
                throw RepositoryError.notFound(kind: "connection", name: name, organization: nil)
            }
            try db.execute(sql: "DELETE FROM connections WHERE id = ?", arguments: [connection.id.description])
            try self.audit(db, organization: organization, actor: actor, action: "connection.delete",
                           targetKind: "connection", targetID: connection.id.description, targetName: connection.name.value)
            return connection
        }
    }

    /// The spelling of the name that is already taken, for the error message.
    private static func existingName(_ db: Database, _ connection: StoredConnection) throws -> String? {
        try String.fetchOne(db, sql: "SELECT name FROM connections WHERE organization_id = ? AND name_key = ?",
                            arguments: [connection.organizationID.description, connection.name.comparisonKey])
    }

    private static func columns(_ connection: StoredConnection) -> StatementArguments {
        [connection.id.description, connection.organizationID.description, connection.name.value, connection.name.comparisonKey,
         connection.description?.value, connection.runtimeEnvironmentID.description, connection.useSecretVault,
         connection.authentication.type.rawValue, connection.authentication.baseURL.description]
    }

    /// Checked inside the write transaction, against what is committed now:
    /// every sealed value must be under the active key (a rotation may have
    /// run since it was sealed), and references must match the manager.
    private func insertCredentials(_ db: Database, _ connection: StoredConnection) throws {
        let activeKey = try String.fetchOne(db, sql: "SELECT key_id FROM master_keys WHERE retired_at IS NULL")
        let manager = try Row.fetchOne(db, sql: "SELECT secrets_manager FROM organizations WHERE id = ?",
                                       arguments: [connection.organizationID.description])
            .flatMap { row -> SecretsManagerSettings? in try SecretsManagerColumn.decode(row["secrets_manager"]) }
        for (_, credential) in connection.authentication.credentials {
            switch credential {
            case .value(let sealed) where sealed.keyID != activeKey:
                throw RepositoryError.masterKeyChangedMeanwhile(sealedWith: sealed.keyID, active: activeKey)
            case .secretReference(let reference) where !reference.belongs(to: manager):
                throw RepositoryError.secretsManagerChangedMeanwhile(connection: connection.name.value)
            default: continue
            }
        }
        for (field, credential) in connection.authentication.credentials {
            var keyID: String?, ciphertext: Data?, reference: String?
            let source: String
            switch credential {
            case .value(let sealed):
                source = "sealed"
                keyID = sealed.keyID
                ciphertext = Data(sealed.combined)
            case .secretReference(let ref):
                source = "reference"
                reference = ref.description
            case .onAgent:
                source = "agent"
            }
            try db.execute(
                sql: "INSERT INTO connection_credentials (connection_id, field, source, key_id, ciphertext, reference) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [connection.id.description, field.rawValue, source, keyID, ciphertext, reference]
            )
        }
    }

    /// What a creation records: every non-secret field, and where each credential lives.
    private static func creationRecord(_ connection: StoredConnection) -> [FieldChange] {
        var fields: [FieldChange] = [
            FieldChange(field: .name, old: nil, new: connection.name.value),
            FieldChange(field: .runtimeEnvironment, old: nil, new: connection.runtimeEnvironmentID.description),
            FieldChange(field: .useSecretVault, old: nil, new: String(connection.useSecretVault)),
            FieldChange(field: .authenticationType, old: nil, new: connection.authentication.type.rawValue),
            FieldChange(field: .baseURL, old: nil, new: connection.authentication.baseURL.description),
        ]
        if let description = connection.description {
            fields.append(FieldChange(field: .description, old: nil, new: description.value))
        }
        fields += connection.authentication.credentials.map { FieldChange(field: $0.field, old: nil, new: $0.credential.auditText) }
        return fields
    }

    static func connection(_ db: Database, _ row: Row) throws -> StoredConnection {
        do {
            return try decodeConnection(db, row)
        } catch let error as ConnectionValidationError {
            throw RepositoryError.corrupt(reason: "connection '\(row["name"] as String? ?? "?")' no longer passes validation: \(error)")
        }
    }

    private static func decodeConnection(_ db: Database, _ row: Row) throws -> StoredConnection {
        let id = ConnectionID(try .stored(row["id"], column: "connections.id"))
        let organizationID = OrganizationID(try .stored(row["organization_id"], column: "connections.organization_id"))
        // The organization is read only for a secret reference, whose syntax depends on its manager.
        var organization: Organization??
        func managerKind() throws -> SecretsManagerKind? {
            if organization == nil {
                organization = try Row.fetchOne(db, sql: "SELECT * FROM organizations WHERE id = ?", arguments: [organizationID.description])
                    .map(Self.organization)
            }
            return organization??.secretsManager?.kind
        }
        var credentials: [ConnectionField: Credential<SealedSecret>] = [:]
        // A cached statement: a page of connections runs this once per row.
        let statement = try db.cachedStatement(sql: "SELECT * FROM connection_credentials WHERE connection_id = ?")
        for credential in try Row.fetchAll(statement, arguments: [id.description]) {
            guard let field = ConnectionField(rawValue: credential["field"]) else {
                throw RepositoryError.corrupt(reason: "unknown credential field '\(credential["field"] as String)'")
            }
            switch credential["source"] as String {
            case "sealed":
                let bytes: Data = credential["ciphertext"]
                credentials[field] = .value(SealedSecret(keyID: credential["key_id"], combined: Array(bytes)))
            case "reference":
                guard let kind = try managerKind() else {
                    throw RepositoryError.corrupt(reason: "connection \(id) holds a secret reference, but its organization has no secrets manager")
                }
                credentials[field] = .secretReference(try SecretReference(credential["reference"], for: kind, field: field))
            default:
                credentials[field] = .onAgent
            }
        }
        // Stored URLs passed validation when written; read them back as they are.
        let baseURL = try TenantURL(row["base_url"], policy: .allowCustomHosts)
        let authentication: Authentication<SealedSecret>
        switch row["auth_type"] as String {
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
            organizationID: organizationID,
            name: try ConnectionName(row["name"]),
            description: try ConnectionDescription(row["description"] ?? ""),
            runtimeEnvironmentID: RuntimeEnvironmentID(try .stored(row["runtime_environment_id"], column: "connections.runtime_environment_id")),
            useSecretVault: row["use_secret_vault"],
            authentication: authentication,
            createdAt: Date(millisecondsSince1970: row["created_at"]),
            updatedAt: Date(millisecondsSince1970: row["updated_at"])
        )
    }
}

extension SecretReference {
    /// Whether the reference is in the form of `manager`'s kind.
    func belongs(to manager: SecretsManagerSettings?) -> Bool {
        switch (self, manager?.location) {
        case (.aws, .aws?): true
        case (.vault(let mount, _, _), .vault(_, let configured)?): mount == configured
        default: false
        }
    }
}
