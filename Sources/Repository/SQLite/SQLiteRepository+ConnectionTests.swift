import Foundation
import GRDB
public import QlikConnections

extension SQLiteRepository: ConnectionTestStore {
    public func recordTest(_ record: ConnectionTestRecord, of connection: StoredConnection, by actor: AuditActor) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO connection_tests (connection_id, tested_at, succeeded, summary, report) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (connection_id) DO UPDATE SET tested_at = excluded.tested_at, succeeded = excluded.succeeded,
                        summary = excluded.summary, report = excluded.report
                    """,
                arguments: [record.connectionID.description, record.testedAt.millisecondsSince1970, record.succeeded,
                            record.summary, String(decoding: record.report, as: UTF8.self)]
            )
            try self.audit(db, organization: connection.organizationID, actor: actor,
                           action: record.succeeded ? "connection.test.passed" : "connection.test.failed",
                           targetKind: "connection", targetID: connection.id.description, targetName: connection.name.value, at: record.testedAt)
        }
    }

    public func lastTests(of connections: [ConnectionID]) async throws -> [ConnectionID: ConnectionTestRecord] {
        guard !connections.isEmpty else { return [:] }
        return try await read { db in try Self.lastTests(db, connections) }
    }

    /// The verdicts only: the step-by-step reports stay behind.
    static func lastTests(_ db: Database, _ connections: [ConnectionID]) throws -> [ConnectionID: ConnectionTestRecord] {
        guard !connections.isEmpty else { return [:] }
        var tests: [ConnectionID: ConnectionTestRecord] = [:]
        let marks = Array(repeating: "?", count: connections.count).joined(separator: ",")
        for row in try Row.fetchAll(db, sql: "SELECT connection_id, tested_at, succeeded, summary FROM connection_tests WHERE connection_id IN (\(marks))",
                                    arguments: StatementArguments(connections.map(\.description))) {
            let test = try StoredValues.test(row, withReport: false)
            tests[test.connectionID] = test
        }
        return tests
    }

    public func lastTest(of connection: ConnectionID) async throws -> ConnectionTestRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM connection_tests WHERE connection_id = ?", arguments: [connection.description])
                .map { try StoredValues.test($0, withReport: true) }
        }
    }
}
