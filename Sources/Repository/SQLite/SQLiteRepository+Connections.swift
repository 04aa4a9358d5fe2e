import Foundation
import GRDB
public import QlikConnections

extension SQLiteRepository: ConnectionStore {
    public func createConnection(_ connection: StoredConnection, by actor: AuditActor) async throws {
        try await write { db in try self.insertConnection(db, connection, by: actor) }
    }

    public func createConnection(in organization: OrganizationID, by actor: AuditActor,
                                 building build: @escaping @Sendable (Organization, [RuntimeEnvironment]) throws -> StoredConnection)
        async throws -> (StoredConnection, [RuntimeEnvironment]) {
        try await write { db in try self.createConnection(db, in: organization, by: actor, building: build) }
    }

    /// Builds the connection from the organization as committed and stores it, inside the caller's transaction.
    func createConnection(_ db: Database, in organization: OrganizationID, by actor: AuditActor,
                          building build: (Organization, [RuntimeEnvironment]) throws -> StoredConnection) throws -> (StoredConnection, [RuntimeEnvironment]) {
        guard let found = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM organizations WHERE id = ?"), arguments: [organization.description])
            .map(StoredValues.organization) else {
            throw RepositoryError.notFound(kind: "organization", name: organization.description, organization: nil)
        }
        let environments = try Self.environments(db, of: organization)
        let connection = try build(found, environments)
        try insertConnection(db, connection, by: actor)
        return (connection, environments)
    }

    /// Statements on this path are cached: parsing and authorizing SQL was a large share of a create.
    private func insertConnection(_ db: Database, _ connection: StoredConnection, by actor: AuditActor) throws {
        do {
            try db.cachedStatement(sql: """
                INSERT INTO connections (id, organization_id, name, name_key, description, runtime_environment_id,
                    use_secret_vault, auth_type, base_url, created_at, updated_at, name_skeleton)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: Self.columns(connection)
                    + [connection.createdAt.millisecondsSince1970, connection.updatedAt.millisecondsSince1970, connection.name.lookalikeKey])
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw try Self.takenName(db, connection)
        }
        try self.insertCredentials(db, connection)
        try self.audit(db, organization: connection.organizationID, actor: actor, action: "connection.create",
                       targetKind: "connection", targetID: connection.id.description, targetName: connection.name.value,
                       changes: RecordKeeping.creationRecord(connection), at: connection.createdAt)
    }

    public func connections(of organization: OrganizationID, matching filter: ConnectionFilter) async throws -> [StoredConnection] {
        try await read { db in
            let (conditions, arguments) = Self.conditions(organization, filter)
            return try Self.connections(db, try Row.fetchAll(db, sql: "SELECT * FROM connections WHERE \(conditions) ORDER BY name_key", arguments: arguments))
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
            let items = try Self.connections(db, try Row.fetchAll(db, sql: "SELECT * FROM connections WHERE \(pageConditions) ORDER BY name_key LIMIT ?",
                                                                  arguments: pageArguments))
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
            let unknownIDs = versions.filter { !known($0) }.map(\.id.description)
            var unknown: [StoredConnection] = []
            for batch in Self.batches(unknownIDs) {
                unknown += try Self.connections(db, try Row.fetchAll(db, sql: "SELECT * FROM connections WHERE id IN (\(databaseQuestionMarks(count: batch.count)))",
                                                                     arguments: StatementArguments(batch)))
            }
            // IN (...) answers in no given order: keep the page's.
            let order = Dictionary(uniqueKeysWithValues: unknownIDs.enumerated().map { ($1, $0) })
            unknown.sort { order[$0.id.description] ?? 0 < order[$1.id.description] ?? 0 }
            let tests = try Self.lastTests(db, versions.map(\.id))
            return ConnectionVersionPage(versions: versions, total: total, unknown: unknown, lastTests: tests)
        }
    }

    public func connection(named name: String, in organization: OrganizationID) async throws -> StoredConnection {
        let key = try ConnectionName(name).comparisonKey
        let found = try await read { db -> Result<StoredConnection, RepositoryError> in
            guard let found = try Row.fetchOne(db, sql: "SELECT * FROM connections WHERE organization_id = ? AND name_key = ?",
                                               arguments: [organization.description, key]).map({ try Self.connection(db, $0) }) else {
                return .failure(try Self.connectionNotFound(db, name, in: organization))
            }
            return .success(found)
        }
        return try found.get()
    }

    /// No connection named `name`, offering the organization's nearest names.
    static func connectionNotFound(_ db: Database, _ name: String, in organization: OrganizationID) throws -> RepositoryError {
        let names = try String.fetchAll(db, sql: "SELECT name FROM connections WHERE organization_id = ?", arguments: [organization.description])
        return .notFound(kind: "connection", name: name, organization: nil, among: names)
    }

    public func updateConnection(_ connection: StoredConnection, replacing previous: StoredConnection, by actor: AuditActor) async throws {
        precondition(connection.id == previous.id, "an update replaces the same connection")
        try await write { db in
            do {
                try db.execute(
                    sql: """
                        UPDATE connections SET name = ?, name_key = ?, description = ?,
                            runtime_environment_id = ?, use_secret_vault = ?, auth_type = ?, base_url = ?, updated_at = ?,
                            name_skeleton = \(Self.keptOrNewSkeleton)
                        WHERE id = ? AND organization_id = ? AND updated_at = ?
                        """,
                    arguments: Self.changeableColumns(connection)
                        + [connection.updatedAt.millisecondsSince1970, connection.name.comparisonKey, connection.name.lookalikeKey,
                           previous.id.description, previous.organizationID.description, previous.updatedAt.millisecondsSince1970]
                )
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw try Self.takenName(db, connection)
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
                throw try Self.connectionNotFound(db, name, in: organization)
            }
            try db.execute(sql: "DELETE FROM connections WHERE id = ?", arguments: [connection.id.description])
            // A look-alike kept without the key since the migration takes it over, so the rule still holds for its name.
            let kept = try Row.fetchAll(db, sql: "SELECT id, name FROM connections WHERE organization_id = ? AND name_skeleton IS NULL ORDER BY created_at, id",
                                        arguments: [organization.description])
            if let heir = kept.first(where: { row in (try? ConnectionName(row["name"] as String).lookalikeKey) == connection.name.lookalikeKey }) {
                try db.execute(sql: "UPDATE connections SET name_skeleton = ? WHERE id = ?", arguments: [connection.name.lookalikeKey, heir["id"] as String])
            }
            try self.audit(db, organization: organization, actor: actor, action: "connection.delete",
                           targetKind: "connection", targetID: connection.id.description, targetName: connection.name.value)
            return connection
        }
    }

    /// The name already taken, spelt as it is stored: the same name in another case, or one that looks the same.
    private static func takenName(_ db: Database, _ connection: StoredConnection) throws -> RepositoryError {
        let others = "SELECT name FROM connections WHERE organization_id = ? AND id <> ?"
        let organization = connection.organizationID.description, id = connection.id.description
        if let same = try String.fetchOne(db, sql: others + " AND name_key = ?", arguments: [organization, id, connection.name.comparisonKey]) {
            return .duplicateName(kind: "connection", name: same)
        }
        if let lookalike = try String.fetchOne(db, sql: others + " AND name_skeleton = ?", arguments: [organization, id, connection.name.lookalikeKey]) {
            return .lookalikeName(kind: "connection", existing: lookalike, name: connection.name.value)
        }
        return .duplicateName(kind: "connection", name: connection.name.value)
    }

    /// The look-alike key an update writes (arguments: the new name key, the new look-alike key). A connection
    /// that came to look like another before the rule (its key left empty by the migration) may still be
    /// changed under its name; only a new name takes a key, and must be free of look-alikes.
    static let keptOrNewSkeleton = "CASE WHEN name_skeleton IS NULL AND name_key = ? THEN NULL ELSE ? END"

    private static func columns(_ connection: StoredConnection) -> StatementArguments {
        [connection.id.description, connection.organizationID.description] + changeableColumns(connection)
    }

    /// What an update may change: a connection never moves to another id or organization.
    private static func changeableColumns(_ connection: StoredConnection) -> StatementArguments {
        [connection.name.value, connection.name.comparisonKey, connection.description?.value, connection.runtimeEnvironmentID.description,
         connection.useSecretVault, connection.authentication.type.rawValue, connection.authentication.baseURL.description]
    }

    /// Checked and written inside the write transaction (see ``RecordKeeping/checkCredentials(of:activeKey:manager:)``).
    private func insertCredentials(_ db: Database, _ connection: StoredConnection) throws {
        let activeKey = try String.fetchOne(try db.cachedStatement(sql: "SELECT key_id FROM master_keys WHERE retired_at IS NULL"))
        let manager = try SecretsManagerColumn.decode(
            try String.fetchOne(try db.cachedStatement(sql: "SELECT secrets_manager FROM organizations WHERE id = ?"),
                                arguments: [connection.organizationID.description]))
        try RecordKeeping.checkCredentials(of: connection, activeKey: activeKey, manager: manager)
        let insert = try db.cachedStatement(sql: """
            INSERT INTO connection_credentials (connection_id, field, source, key_id, ciphertext, reference) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for row in RecordKeeping.credentialRows(of: connection) {
            try insert.execute(arguments: [connection.id.description, row.field, row.source, row.keyID, row.ciphertext, row.reference])
        }
    }

    static func connection(_ db: Database, _ row: Row) throws -> StoredConnection {
        guard let connection = try connections(db, [row]).first else { throw RepositoryError.corrupt(reason: "a connection row was read as none") }
        return connection
    }

    /// Connections from their rows, with the credentials of a whole page read in one query (as on PostgreSQL), not one per row.
    static func connections(_ db: Database, _ rows: [Row]) throws -> [StoredConnection] {
        guard !rows.isEmpty else { return [] }
        var credentials: [String: [Row]] = [:]
        for batch in batches(try rows.map { try $0.text("id") }) {
            // Cached: a page's size repeats, so does its statement.
            let statement = try db.cachedStatement(sql: "SELECT * FROM connection_credentials WHERE connection_id IN (\(databaseQuestionMarks(count: batch.count)))")
            let rows = try Row.fetchAll(statement, arguments: StatementArguments(batch))
            for row in rows { credentials[try row.text("connection_id"), default: []].append(row) }
        }
        // An organization's manager is read only when a reference needs it, once.
        var managers: [String: SecretsManagerKind?] = [:]
        return try rows.map { row in
            let organization = try row.text("organization_id")
            return try StoredValues.connection(row, credentials: credentials[try row.text("id")] ?? []) {
                if let known = managers[organization] { return known }
                let kind = try SecretsManagerColumn.decode(
                    try String.fetchOne(try db.cachedStatement(sql: "SELECT secrets_manager FROM organizations WHERE id = ?"), arguments: [organization]))?.kind
                managers[organization] = kind
                return kind
            }
        }
    }

    /// Ids in groups small enough for one statement's parameters (SQLite allows 32,766; older builds 999).
    static func batches(_ ids: [String]) -> [ArraySlice<String>] {
        stride(from: 0, to: ids.count, by: 500).map { ids[$0..<min($0 + 500, ids.count)] }
    }
}
