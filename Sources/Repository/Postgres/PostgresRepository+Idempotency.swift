public import Foundation
import PostgresNIO
public import QlikConnections

extension PostgresRepository: IdempotencyStore {
    public func idempotentResponse(key: String, in organization: OrganizationID) async throws -> IdempotentResponse? {
        try await read { session in try await Self.idempotentResponse(session, key: key, in: organization) }
    }

    public func createConnection(in organization: OrganizationID, by actor: AuditActor, once claim: IdempotencyClaim,
                                 building build: @escaping @Sendable (Organization, [RuntimeEnvironment]) throws -> StoredConnection,
                                 answering answer: @escaping @Sendable (StoredConnection, [RuntimeEnvironment]) throws -> (status: Int, body: Data))
        async throws -> IdempotentCreation {
        try await write { session in
            // One create per key at a time, across replicas: a concurrent retry waits here until the first commits
            // (then finds its answer below) or rolls back (then runs itself). Released with the transaction.
            try await session.execute("""
                SELECT pg_advisory_xact_lock(\(Self.idempotencyLockSpace), hashtext(\(organization.description) || '/' || \(claim.key)))
                """)
            if let earlier = try await Self.idempotentResponse(session, key: claim.key, in: organization) { return .replayed(earlier) }
            let (connection, environments) = try await self.createConnection(session, in: organization, by: actor, building: build)
            let (status, body) = try answer(connection, environments)
            try await session.execute("""
                INSERT INTO idempotency_keys (organization_id, key, request_hash, status, body, created_at)
                VALUES (\(organization.description), \(claim.key), \(claim.requestHash), \(Int32(status)), \(body), \(Date().millisecondsSince1970))
                """)
            return .created(connection, answer: IdempotentResponse(requestHash: claim.requestHash, status: status, body: body))
        }
    }

    /// The first half of the two-key advisory locks taken per Idempotency-Key ("idem" in ASCII); two-key locks never meet the one-key write lock.
    static let idempotencyLockSpace: Int32 = 0x6964_656D

    static func idempotentResponse(_ session: PostgresSession, key: String, in organization: OrganizationID) async throws -> IdempotentResponse? {
        try await session.first("SELECT request_hash, status, body FROM idempotency_keys WHERE organization_id = \(organization.description) AND key = \(key)")
            .map { row in
                IdempotentResponse(requestHash: try row.bytes("request_hash"), status: Int(try row.integer("status")), body: try row.bytes("body"))
            }
    }
}
