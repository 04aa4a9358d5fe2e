public import Foundation
import GRDB
public import QlikConnections

extension SQLiteRepository: IdempotencyStore {
    public func idempotentResponse(key: String, in organization: OrganizationID) async throws -> IdempotentResponse? {
        try await read { db in try Self.idempotentResponse(db, key: key, in: organization) }
    }

    public func createConnection(in organization: OrganizationID, by actor: AuditActor, once claim: IdempotencyClaim,
                                 building build: @escaping @Sendable (Organization, [RuntimeEnvironment]) throws -> StoredConnection,
                                 answering answer: @escaping @Sendable (StoredConnection, [RuntimeEnvironment]) throws -> (status: Int, body: Data))
        async throws -> IdempotentCreation {
        // SQLite runs one write at a time: the key's answer read here cannot be written by anyone else before this commits.
        try await write { db in
            if let earlier = try Self.idempotentResponse(db, key: claim.key, in: organization) { return .replayed(earlier) }
            let (connection, environments) = try self.createConnection(db, in: organization, by: actor, building: build)
            let (status, body) = try answer(connection, environments)
            try db.cachedStatement(sql: """
                INSERT INTO idempotency_keys (organization_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [organization.description, claim.key, claim.requestHash, status, body, Date().millisecondsSince1970])
            return .created(connection, answer: IdempotentResponse(requestHash: claim.requestHash, status: status, body: body))
        }
    }

    static func idempotentResponse(_ db: Database, key: String, in organization: OrganizationID) throws -> IdempotentResponse? {
        try Row.fetchOne(try db.cachedStatement(sql: "SELECT request_hash, status, body FROM idempotency_keys WHERE organization_id = ? AND key = ?"),
                         arguments: [organization.description, key]).map { row in
            IdempotentResponse(requestHash: row["request_hash"], status: row["status"], body: row["body"])
        }
    }
}
