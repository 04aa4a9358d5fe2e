import Foundation
import PostgresNIO
public import QlikConnections

extension PostgresRepository: ConnectionStore {
    public func createConnection(_ connection: StoredConnection, by actor: AuditActor) async throws {
        try await write { session in try await self.insertConnection(session, connection, by: actor) }
    }

    public func createConnection(in organization: OrganizationID, by actor: AuditActor,
                                 building build: @escaping @Sendable (Organization, [RuntimeEnvironment]) throws -> StoredConnection)
        async throws -> (StoredConnection, [RuntimeEnvironment]) {
        try await write { session in try await self.createConnection(session, in: organization, by: actor, building: build) }
    }

    /// Builds the connection from the organization as committed and stores it, inside the caller's transaction.
    func createConnection(_ session: PostgresSession, in organization: OrganizationID, by actor: AuditActor,
                          building build: (Organization, [RuntimeEnvironment]) throws -> StoredConnection) async throws -> (StoredConnection, [RuntimeEnvironment]) {
        guard let found = try await session.first("SELECT * FROM organizations WHERE id = \(organization.description)").map(StoredValues.organization) else {
            throw RepositoryError.notFound(kind: "organization", name: organization.description, organization: nil)
        }
        let environments = try await self.environments(session, of: organization)
        let connection = try build(found, environments)
        try await insertConnection(session, connection, by: actor)
        return (connection, environments)
    }

    private func insertConnection(_ session: PostgresSession, _ connection: StoredConnection, by actor: AuditActor) async throws {
        try await refuseTakenName(session, connection)
        do {
            try await session.execute("""
                INSERT INTO connections (id, organization_id, name, name_key, description, runtime_environment_id,
                    use_secret_vault, auth_type, base_url, created_at, updated_at, name_skeleton)
                VALUES (\(connection.id.description), \(connection.organizationID.description), \(connection.name.value),
                        \(connection.name.comparisonKey), \(connection.description?.value), \(connection.runtimeEnvironmentID.description),
                        \(connection.useSecretVault), \(connection.authentication.type.rawValue), \(connection.authentication.baseURL.description),
                        \(connection.createdAt.millisecondsSince1970), \(connection.updatedAt.millisecondsSince1970), \(connection.name.lookalikeKey))
                """)
        } catch where PostgresFailure.isUniqueViolation(error) {
            // Another create of the same name committed between the check and the insert.
            throw RepositoryError.duplicateName(kind: "connection", name: connection.name.value)
        }
        try await insertCredentials(session, connection)
        try await audit(session, organization: connection.organizationID, actor: actor, action: "connection.create",
                        targetKind: "connection", targetID: connection.id.description, targetName: connection.name.value,
                        changes: RecordKeeping.creationRecord(connection), at: connection.createdAt)
    }

    public func connections(of organization: OrganizationID, matching filter: ConnectionFilter) async throws -> [StoredConnection] {
        try await read { session in
            var query = Self.filtered("SELECT * FROM connections", organization, filter)
            query.append(" ORDER BY name_key")
            return try await self.connections(session, try await session.rows(query.query))
        }
    }

    public func connectionPage(of organization: OrganizationID, matching filter: ConnectionFilter, after cursor: String?, limit: Int) async throws -> ConnectionPage {
        let after = try cursor.map { try ConnectionName($0).comparisonKey }
        return try await read { session in
            let total = try await session.value(Int64.self, Self.filtered("SELECT COUNT(*) FROM connections", organization, filter).query) ?? 0
            var query = Self.filtered("SELECT * FROM connections", organization, filter)
            if let after { query.append(" AND name_key > ", after) }
            query.append(" ORDER BY name_key LIMIT ", Int64(limit))
            return ConnectionPage(items: try await self.connections(session, try await session.rows(query.query)), total: Int(total))
        }
    }

    public func connectionVersionPage(of organization: OrganizationID, matching filter: ConnectionFilter, after cursor: String?, limit: Int,
                                      known: @escaping @Sendable (ConnectionVersion) -> Bool) async throws -> ConnectionVersionPage {
        let after = try cursor.map { try ConnectionName($0).comparisonKey }
        return try await read { session in
            let total = try await session.value(Int64.self, Self.filtered("SELECT COUNT(*) FROM connections", organization, filter).query) ?? 0
            var query = Self.filtered("SELECT id, updated_at FROM connections", organization, filter)
            if let after { query.append(" AND name_key > ", after) }
            query.append(" ORDER BY name_key LIMIT ", Int64(limit))
            let versions = try await session.rows(query.query).map { row in
                ConnectionVersion(id: ConnectionID(try row.id("id", of: "connections")), updatedAt: try row.date("updated_at"))
            }
            // Only what the reader has not built before is read in full and checked.
            let unknownIDs = versions.filter { !known($0) }.map(\.id.description)
            var unknown: [StoredConnection] = []
            if !unknownIDs.isEmpty {
                unknown = try await self.connections(session, try await session.rows("SELECT * FROM connections WHERE id = ANY(\(unknownIDs))"))
            }
            let tests = try await self.lastTests(session, versions.map(\.id))
            return ConnectionVersionPage(versions: versions, total: Int(total), unknown: unknown, lastTests: tests)
        }
    }

    public func connection(named name: String, in organization: OrganizationID) async throws -> StoredConnection {
        let key = try ConnectionName(name).comparisonKey
        let found = try await read { session -> Result<StoredConnection, RepositoryError> in
            guard let found = try await self.connections(session, try await session.rows("""
                SELECT * FROM connections WHERE organization_id = \(organization.description) AND name_key = \(key)
                """)).first else {
                return .failure(try await self.connectionNotFound(session, name, in: organization))
            }
            return .success(found)
        }
        return try found.get()
    }

    public func updateConnection(_ connection: StoredConnection, replacing previous: StoredConnection, by actor: AuditActor) async throws {
        precondition(connection.id == previous.id, "an update replaces the same connection")
        try await write { session in
            try await self.refuseTakenName(session, connection)
            let updated: [PostgresRandomAccessRow]
            do {
                updated = try await session.rows("""
                    UPDATE connections SET name = \(connection.name.value), name_key = \(connection.name.comparisonKey),
                        name_skeleton = CASE WHEN name_skeleton IS NULL AND name_key = \(connection.name.comparisonKey) THEN NULL
                                             ELSE \(connection.name.lookalikeKey) END,
                        description = \(connection.description?.value), runtime_environment_id = \(connection.runtimeEnvironmentID.description),
                        use_secret_vault = \(connection.useSecretVault), auth_type = \(connection.authentication.type.rawValue),
                        base_url = \(connection.authentication.baseURL.description), updated_at = \(connection.updatedAt.millisecondsSince1970)
                    WHERE id = \(previous.id.description) AND organization_id = \(previous.organizationID.description)
                        AND updated_at = \(previous.updatedAt.millisecondsSince1970)
                    RETURNING id
                    """)
            } catch where PostgresFailure.isUniqueViolation(error) {
                throw RepositoryError.duplicateName(kind: "connection", name: connection.name.value)
            }
            guard updated.count == 1 else { throw RepositoryError.changedMeanwhile(name: previous.name.value) }
            try await session.execute("DELETE FROM connection_credentials WHERE connection_id = \(connection.id.description)")
            try await self.insertCredentials(session, connection)
            try await self.audit(session, organization: connection.organizationID, actor: actor, action: "connection.update",
                                 targetKind: "connection", targetID: connection.id.description, targetName: connection.name.value,
                                 changes: connection.changes(from: previous), at: connection.updatedAt)
        }
    }

    public func deleteConnection(named name: String, in organization: OrganizationID, by actor: AuditActor) async throws -> StoredConnection {
        let key = try ConnectionName(name).comparisonKey
        return try await write { session in
            guard let connection = try await self.connections(session, try await session.rows("""
                SELECT * FROM connections WHERE organization_id = \(organization.description) AND name_key = \(key) FOR UPDATE
                """)).first else {
                throw try await self.connectionNotFound(session, name, in: organization)
            }
            try await session.execute("DELETE FROM connections WHERE id = \(connection.id.description)")
            // A look-alike kept without the key since the migration takes it over, so the rule still holds for its name.
            let kept = try await session.rows("""
                SELECT id, name FROM connections WHERE organization_id = \(organization.description) AND name_skeleton IS NULL ORDER BY created_at, id
                """)
            for row in kept where (try? ConnectionName(try row.text("name")).lookalikeKey) == connection.name.lookalikeKey {
                try await session.execute("UPDATE connections SET name_skeleton = \(connection.name.lookalikeKey) WHERE id = \(try row.text("id"))")
                break
            }
            try await self.audit(session, organization: organization, actor: actor, action: "connection.delete",
                                 targetKind: "connection", targetID: connection.id.description, targetName: connection.name.value)
            return connection
        }
    }

    /// Names are unique per organization in any case; the error shows the spelling already taken.
    private func refuseTakenName(_ session: PostgresSession, _ connection: StoredConnection) async throws {
        if let taken = try await session.value(String.self, """
            SELECT name FROM connections WHERE organization_id = \(connection.organizationID.description)
                AND name_key = \(connection.name.comparisonKey) AND id <> \(connection.id.description)
            """) {
            throw RepositoryError.duplicateName(kind: "connection", name: taken)
        }
        // A connection kept under its name since before the look-alike rule (its key empty) is not refused for it.
        // The name key is read again: a create of the same name may have committed since the check above.
        if let lookalike = try await session.first("""
            SELECT name, name_key FROM connections WHERE organization_id = \(connection.organizationID.description)
                AND name_skeleton = \(connection.name.lookalikeKey) AND id <> \(connection.id.description)
                AND NOT EXISTS (SELECT 1 FROM connections kept WHERE kept.id = \(connection.id.description)
                                AND kept.name_skeleton IS NULL AND kept.name_key = \(connection.name.comparisonKey))
            """) {
            let existing = try lookalike.text("name")
            if try lookalike.text("name_key") == connection.name.comparisonKey { throw RepositoryError.duplicateName(kind: "connection", name: existing) }
            throw RepositoryError.lookalikeName(kind: "connection", existing: existing, name: connection.name.value)
        }
    }

    /// Checked and written inside the write transaction (see ``RecordKeeping/checkCredentials(of:activeKey:manager:)``).
    private func insertCredentials(_ session: PostgresSession, _ connection: StoredConnection) async throws {
        let activeKey = try await session.value(String.self, "SELECT key_id FROM master_keys WHERE retired_at IS NULL")
        let manager = try SecretsManagerColumn.decode(
            try await session.value(String.self, "SELECT secrets_manager FROM organizations WHERE id = \(connection.organizationID.description)"))
        try RecordKeeping.checkCredentials(of: connection, activeKey: activeKey, manager: manager)
        for row in RecordKeeping.credentialRows(of: connection) {
            try await session.execute("""
                INSERT INTO connection_credentials (connection_id, field, source, key_id, ciphertext, reference)
                VALUES (\(connection.id.description), \(row.field), \(row.source), \(row.keyID), \(row.ciphertext), \(row.reference))
                """)
        }
    }

    /// No connection named `name`, offering the organization's nearest names.
    func connectionNotFound(_ session: PostgresSession, _ name: String, in organization: OrganizationID) async throws -> RepositoryError {
        let names = try await session.rows("SELECT name FROM connections WHERE organization_id = \(organization.description)").map { try $0.text("name") }
        return .notFound(kind: "connection", name: name, organization: nil, among: names)
    }

    /// Connections from their rows, with every row's credentials read in one query.
    func connections(_ session: PostgresSession, _ rows: [PostgresRandomAccessRow]) async throws -> [StoredConnection] {
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.text("id") }
        var credentials: [String: [PostgresRandomAccessRow]] = [:]
        for row in try await session.rows("SELECT * FROM connection_credentials WHERE connection_id = ANY(\(ids))") {
            credentials[try row.text("connection_id"), default: []].append(row)
        }
        // An organization's manager is read only when a reference needs it, once.
        var managers: [String: SecretsManagerKind?] = [:]
        for row in rows {
            let organization = try row.text("organization_id")
            if managers[organization] == nil, try credentials[try row.text("id")]?.contains(where: { try $0.text("source") == "reference" }) == true {
                managers[organization] = try SecretsManagerColumn.decode(
                    try await session.value(String.self, "SELECT secrets_manager FROM organizations WHERE id = \(organization)"))?.kind
            }
        }
        return try rows.map { row in
            try StoredValues.connection(row, credentials: credentials[try row.text("id")] ?? []) {
                managers[try row.text("organization_id")] ?? nil
            }
        }
    }

    /// A statement over connections, narrowed to an organization and a filter, with more to append.
    static func filtered(_ head: String, _ organization: OrganizationID, _ filter: ConnectionFilter) -> PostgresStatement {
        var statement = PostgresStatement(head)
        statement.append(" WHERE organization_id = ", organization.description)
        if let type = filter.authenticationType { statement.append(" AND auth_type = ", type.rawValue) }
        if let environment = filter.runtimeEnvironmentID { statement.append(" AND runtime_environment_id = ", environment.description) }
        if let fragment = filter.nameContains.map(nameComparisonKey), !fragment.isEmpty {
            statement.append(" AND strpos(name_key, ", fragment)
            statement.append(") > 0")
        }
        return statement
    }
}
