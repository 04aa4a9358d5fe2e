import Foundation
import PostgresNIO
public import QlikConnections

extension PostgresRepository: ConnectionTestStore {
    public func recordTest(_ record: ConnectionTestRecord, of connection: StoredConnection, by actor: AuditActor) async throws {
        try await write { session in
            try await session.execute("""
                INSERT INTO connection_tests (connection_id, tested_at, succeeded, summary, report)
                VALUES (\(record.connectionID.description), \(record.testedAt.millisecondsSince1970), \(record.succeeded), \(record.summary),
                        \(String(decoding: record.report, as: UTF8.self)))
                ON CONFLICT (connection_id) DO UPDATE SET tested_at = excluded.tested_at, succeeded = excluded.succeeded,
                    summary = excluded.summary, report = excluded.report
                """)
            try await self.audit(session, organization: connection.organizationID, actor: actor,
                                 action: record.succeeded ? "connection.test.passed" : "connection.test.failed",
                                 targetKind: "connection", targetID: connection.id.description, targetName: connection.name.value, at: record.testedAt)
        }
    }

    public func lastTests(of connections: [ConnectionID]) async throws -> [ConnectionID: ConnectionTestRecord] {
        guard !connections.isEmpty else { return [:] }
        return try await read { session in try await self.lastTests(session, connections) }
    }

    /// The verdicts only: the step-by-step reports stay behind.
    func lastTests(_ session: PostgresSession, _ connections: [ConnectionID]) async throws -> [ConnectionID: ConnectionTestRecord] {
        guard !connections.isEmpty else { return [:] }
        var tests: [ConnectionID: ConnectionTestRecord] = [:]
        for row in try await session.rows("""
            SELECT connection_id, tested_at, succeeded, summary FROM connection_tests WHERE connection_id = ANY(\(connections.map(\.description)))
            """) {
            let test = try StoredValues.test(row, withReport: false)
            tests[test.connectionID] = test
        }
        return tests
    }

    public func lastTest(of connection: ConnectionID) async throws -> ConnectionTestRecord? {
        try await read { session in
            try await session.first("SELECT * FROM connection_tests WHERE connection_id = \(connection.description)")
                .map { try StoredValues.test($0, withReport: true) }
        }
    }
}
