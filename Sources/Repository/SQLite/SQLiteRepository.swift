import Foundation
import GRDB
import QlikConnections

/// The embedded repository: one SQLite file, created and migrated on first
/// use, in WAL mode so readers never wait for a writer.
public final class SQLiteRepository: RepositoryLifecycle {
    let pool: DatabasePool
    public let path: String
    private let groupCommit = GroupCommit()
    /// Tasks that ran out of attempts are given up by a sweep at most once a second, not on every claim.
    let giveUpSweep = Sweep(interval: 1)

    /// SQLite 3.35 brought `RETURNING` and `ALTER TABLE … DROP COLUMN`, which the repository's statements and migrations use.
    static let minimumSQLiteVersion = [3, 35]

    /// Whether a `sqlite_version()` text is at least ``minimumSQLiteVersion``.
    static func supports(sqliteVersion text: String) -> Bool {
        let parts = text.split(separator: ".").map { Int($0) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return false }
        return !parts.compactMap { $0 }.lexicographicallyPrecedes(minimumSQLiteVersion)
    }

    public convenience init(path: String) throws {
        try self.init(path: path, configuring: { _ in })
    }

    /// `configuring` adjusts GRDB's configuration before the pool opens: tests trace statements through it.
    init(path: String, configuring: (inout Configuration) -> Void) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        // A new repository is created owner-only whatever the process's umask (an embedding program may not set one):
        // SQLite gives its -wal and -shm files the database file's mode.
        if !FileManager.default.fileExists(atPath: path),
           !FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) {
            throw RepositoryError.storage(reason: "cannot create the repository file \(path): check that its folder is writable")
        }
        var configuration = Configuration()
        // Other processes (a second CLI, an agent) may hold the write lock briefly.
        configuration.busyMode = .timeout(15)
        configuration.foreignKeysEnabled = true
        configuring(&configuration)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            let version = try pool.read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") } ?? "unknown"
            guard Self.supports(sqliteVersion: version) else {
                throw RepositoryError.storage(reason: "this machine's SQLite library is version \(version); the repository needs "
                    + "\(Self.minimumSQLiteVersion.map(String.init).joined(separator: ".")) or newer (Debian 12 and Ubuntu 22.04 have it): "
                    + "upgrade libsqlite3, or use a PostgreSQL repository (--database postgres://...)")
            }
            try SQLiteMigrations.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw RepositoryError.storage(reason: "cannot open \(path): \(error.message ?? error.description)")
        }
    }

    /// Runs `body` in an IMMEDIATE transaction (the write lock is taken up
    /// front, so concurrent writers queue instead of failing mid-way), shared
    /// with the writes waiting beside it: see ``GroupCommit``.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let write = GroupedWrite(body)
        groupCommit.enqueue(write)
        do {
            try await pool.writeWithoutTransaction { db in self.groupCommit.drain(db) }
            return try write.outcome()
        } catch let error as DatabaseError {
            throw RepositoryError.storage(reason: error.message ?? error.description)
        }
    }

    /// GRDB closes the file when the last reference goes; nothing to end early.
    public func close() async {}

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as DatabaseError {
            throw RepositoryError.storage(reason: error.message ?? error.description)
        }
    }

    func audit<Change: Encodable>(
        _ db: Database, organization: OrganizationID?, actor: AuditActor, action: String,
        targetKind: String, targetID: String, targetName: String, changes: [Change], at: Date = Date()
    ) throws {
        let encoded = try RecordKeeping.encodedChanges(changes)
        try db.cachedStatement(sql: """
            INSERT INTO audit_events (organization_id, at, actor, action, target_kind, target_id, target_name, changes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [organization?.description, at.millisecondsSince1970, actor.name, action, targetKind, targetID, targetName, encoded])
    }
}

extension SQLiteRepository {
    func audit(_ db: Database, organization: OrganizationID?, actor: AuditActor, action: String,
               targetKind: String, targetID: String, targetName: String, at: Date = Date()) throws {
        try audit(db, organization: organization, actor: actor, action: action, targetKind: targetKind, targetID: targetID,
                  targetName: targetName, changes: [FieldChange](), at: at)
    }
}

extension DatabaseError {
    var isUniqueViolation: Bool { extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE || extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY }
}

extension UUID {
    static func stored(_ text: String, column: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw RepositoryError.corrupt(reason: "\(column) '\(text)' is not a UUID") }
        return id
    }
}

/// GRDB's rows read the way the shared decoders ask.
extension Row: StoredRow {
    private func required<T: DatabaseValueConvertible>(_ column: String) throws -> T {
        guard let value = self[column] as T? else { throw RepositoryError.corrupt(reason: "column \(column) is empty or of the wrong type") }
        return value
    }

    func text(_ column: String) throws -> String { try required(column) }
    func optionalText(_ column: String) throws -> String? { self[column] }
    func integer(_ column: String) throws -> Int64 { try required(column) }
    func optionalInteger(_ column: String) throws -> Int64? { self[column] }
    func flag(_ column: String) throws -> Bool { try required(column) }
    func bytes(_ column: String) throws -> Data { try required(column) }
    func optionalBytes(_ column: String) throws -> Data? { self[column] }
}
