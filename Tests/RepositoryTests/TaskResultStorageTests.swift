import Foundation
import GRDB
import Logging
import PostgresNIO
import QlikConnections
@testable import Repository
import Testing
import TestRepositories

@Suite("Task results: large ones stored compressed, every reader gets the same bytes")
struct TaskResultStorageTests {
    /// A catalog-like result: the same keys over and over, as a discover task's is.
    static func catalogLike(apps: Int) -> Data {
        let entries = (0..<apps).map { index in
            #"{"id":"app-\#(index)","name":"Catalog app \#(index)","sheets":[{"charts":[{"dimensions":["Region","Year"],"type":"barchart"}],"title":"Sheet"}]}"#
        }
        return Data(("{\"apps\":[" + entries.joined(separator: ",") + "]}").utf8)
    }

    /// A task of `fixture`'s organization, claimed, then finished with `result` through the plain or the reporting write.
    static func finished(_ fixture: RepositoryFixture, result: Data, reporting: Bool = false) async throws -> TaskRecord {
        let serverless = try #require(try await fixture.repository.runtimeEnvironments(of: fixture.organization.id).first)
        let task = TaskRecord(organizationID: fixture.organization.id, runtimeEnvironmentID: serverless.id, connectionID: nil, connectionName: nil,
                              kind: .noop, requestedBy: "test")
        let started = try await fixture.repository.enqueueStarted(task, owner: "w", lease: 60, now: Date())
        let lease = try #require(started.lease)
        let done = reporting
            ? try await fixture.repository.finish(lease, in: fixture.organization.id, owner: "w", succeeded: true, result: result, error: nil, logs: [], at: Date())
            : try await fixture.repository.finish(lease, owner: "w", succeeded: true, result: result, error: nil, at: Date())
        #expect(done)
        return try await fixture.repository.task(task.id, in: fixture.organization.id)
    }

    @Test("a large result (both finish writes) reads back byte for byte, stored gzip-compressed in a tenth of its size", arguments: RepositoryBackend.allCases)
    func largeCompressed(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let result = Self.catalogLike(apps: 20_000)
        for reporting in [false, true] {
            #expect(try await Self.finished(fixture, result: result, reporting: reporting).result == result)
        }
        #expect(try await fixture.store.texts("result IS NULL", from: "tasks").allSatisfy { $0 == "1" || $0 == "true" })
        let stored = try await fixture.store.texts("length(result_gzip)", from: "tasks").map { try #require(Int($0)) }
        #expect(stored.count == 2 && stored.allSatisfy { $0 * 10 < result.count }, "\(stored) bytes stored for \(result.count)")
    }

    @Test("a small result is stored as its text, as before", arguments: RepositoryBackend.allCases)
    func smallAsText(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let result = Data(#"{"rows":12,"path":"out.csv"}"#.utf8)
        #expect(try await Self.finished(fixture, result: result).result == result)
        #expect(try await fixture.store.texts("result", from: "tasks") == [#"{"rows":12,"path":"out.csv"}"#])
        #expect(try await fixture.store.texts("COALESCE(length(result_gzip), 0)", from: "tasks") == ["0"])
    }

    @Test("a database from before the compressed column (schema v15) keeps reading its tasks' results after the upgrade", arguments: RepositoryBackend.allCases)
    func oldRowsRead(_ backend: RepositoryBackend) async throws {
        let (organization, environment, task) = (UUID().uuidString.lowercased(), UUID().uuidString.lowercased(), UUID().uuidString.lowercased())
        let old = String(decoding: Self.catalogLike(apps: 2_000), as: UTF8.self)
        let rows = [
            "INSERT INTO organizations (id, name, name_key, credential_storage, created_at, updated_at) VALUES ('\(organization)', 'Acme', 'acme', 'repository', 1, 1)",
            "INSERT INTO runtime_environments (id, organization_id, name, name_key, kind, created_at) VALUES ('\(environment)', '\(organization)', 'Serverless', 'serverless', 'serverless', 1)",
            """
            INSERT INTO tasks (id, organization_id, runtime_environment_id, kind, payload, state, attempts, max_attempts, requested_by, created_at, finished_at, result)
            VALUES ('\(task)', '\(organization)', '\(environment)', 'discover', '{}', 'succeeded', 1, 1, 'test', 1, 2, '\(old)')
            """,
        ]
        let quiet = Logger(label: "upgrade") { _ in SwiftLogNoOpLogHandler() }
        let repository: any ConnectorRepository
        switch backend {
        case .sqlite:
            let path = NSTemporaryDirectory() + "qc-results-\(UUID().uuidString).sqlite"
            let queue = try DatabaseQueue(path: path)
            try SQLiteMigrations.migrator.migrate(queue, upTo: "v15-tenant-host-order")
            try await queue.write { db in for row in rows { try db.execute(sql: row) } }
            repository = try SQLiteRepository(path: path)
        case .postgres:
            let url = try await TestPostgres.createDatabase()
            try await TestPostgres.withConnection(to: url) { connection in
                try await PostgresMigrations.migrate(connection, upTo: "v15-tenant-host-order", logger: quiet)
                for row in rows { _ = try await connection.query(PostgresQuery(unsafeSQL: row), logger: quiet).collect() }
            }
            repository = try await TestPostgres.repository(url)
        }
        let read = try await repository.task(TaskID(try #require(UUID(uuidString: task))), in: OrganizationID(try #require(UUID(uuidString: organization))))
        #expect(read.result == Data(old.utf8))
    }

    @Test("a damaged compressed result is refused as corrupt, naming the task and the column")
    func damagedRefused() throws {
        let gzip = try StoredTaskResult.compress(Self.catalogLike(apps: 2_000))
        #expect(throws: RepositoryError.self) { try StoredTaskResult(text: nil, gzip: gzip.dropLast(100)).data(task: "t1") }
        do {
            _ = try StoredTaskResult(text: nil, gzip: gzip.prefix(gzip.count / 2) + gzip.suffix(8)).data(task: "t1")
            Issue.record("a stream cut in the middle was read")
        } catch let error as RepositoryError {
            #expect(error.description.contains("task t1") && error.description.contains("result_gzip"), "\(error)")
        }
    }
}
