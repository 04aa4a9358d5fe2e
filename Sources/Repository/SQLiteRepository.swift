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

    public init(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var configuration = Configuration()
        // Other processes (a second CLI, an agent) may hold the write lock briefly.
        configuration.busyMode = .timeout(15)
        configuration.foreignKeysEnabled = true
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Migrations.migrator.migrate(pool)
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
}
