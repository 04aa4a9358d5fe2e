public import Foundation
public import QlikConnections

/// What a create request with an `Idempotency-Key` answered the first time.
public struct IdempotentResponse: Sendable, Equatable {
    public let requestHash: Data
    public let status: Int
    public let body: Data
    public init(requestHash: Data, status: Int, body: Data) {
        self.requestHash = requestHash
        self.status = status
        self.body = body
    }
}

/// A create's `Idempotency-Key` and the fingerprint of its request: a retry is "the same" when both match.
public struct IdempotencyClaim: Sendable, Equatable {
    public let key: String
    public let requestHash: Data
    public init(key: String, requestHash: Data) {
        self.key = key
        self.requestHash = requestHash
    }
}

/// What a create run once per key did.
public enum IdempotentCreation: Sendable {
    /// Created now; `answer` is kept for the key, committed with the connection.
    case created(StoredConnection, answer: IdempotentResponse)
    /// The key was used before: its first answer (whose `requestHash` may differ from this request's: the caller decides).
    case replayed(IdempotentResponse)
}

public protocol IdempotencyStore: Sendable {
    func idempotentResponse(key: String, in organization: OrganizationID) async throws -> IdempotentResponse?
    /// Creates a connection at most once per `claim.key`, in ONE transaction: answers the key's kept answer if it has one;
    /// otherwise builds and stores the connection (as ``ConnectionStore/createConnection(in:by:building:)``) and keeps
    /// `answer`'s status and body for the key. The connection and its answer are committed together or not at all, so a
    /// crash never leaves a connection whose retry cannot be answered; concurrent creates with one key run one at a time.
    func createConnection(in organization: OrganizationID, by actor: AuditActor, once claim: IdempotencyClaim,
                          building build: @escaping @Sendable (Organization, [RuntimeEnvironment]) throws -> StoredConnection,
                          answering answer: @escaping @Sendable (StoredConnection, [RuntimeEnvironment]) throws -> (status: Int, body: Data))
        async throws -> IdempotentCreation
}
