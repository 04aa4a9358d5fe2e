import Foundation
import Hummingbird
import HTTPTypes
import Synchronization
import Connector
import Runtime
import QlikCloudAPI
import QlikConnections
import Repository
import Secrets
import ConnectorAPI
import UseCases

/// Connections listed, created and tested: answers kept as bytes as they were first written (the list's cached views, an
/// idempotent create's stored answer, a test's report), so they are served by hand rather than re-encoded by the generated
/// server. One connection read, changed or deleted: API/GeneratedAPI+Connections.swift.
extension ConnectorService {
    func addConnectionRoutes(to api: RouterGroup<ServiceContext>) {
        let service = self
        let repository = self.repository
        api.get("connections") { request, context -> Response in
            let principal = try context.requirePrincipal()
            return try await service.list(request, principal)
        }
        api.post("connections") { request, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.designer)
            let body = Data(buffer: try await request.body.collect(upTo: 1 << 20))
            guard let claim = try Self.idempotencyClaim(request, body: body) else {
                let (connection, environments) = try await service.createConnection(try ServiceJSON.decode(Components.Schemas.ConnectionInput.self, from: body).draft(), by: principal)
                return try ServiceJSON.response(Components.Schemas.Connection(connection, environments: environments), status: .created,
                                                headers: Self.location(of: connection))
            }
            // A retry of a create that committed is answered from a read, without taking the write lock; the create checks again.
            if let earlier = try await repository.idempotentResponse(key: claim.key, in: principal.organizationID) {
                return try Self.replay(earlier, for: claim)
            }
            let draft = try ServiceJSON.decode(Components.Schemas.ConnectionInput.self, from: body).draft()
            switch try await service.createConnection(draft, by: principal, once: claim) {
            case .created(let connection, let answer):
                var headers = Self.location(of: connection)
                headers[.contentType] = "application/json"
                return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
            case .replayed(let earlier):
                return try Self.replay(earlier, for: claim)
            }
        }
        api.post("connections/:name/test") { _, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.designer)
            let (_, encoded) = try await service.testConnection(named: try context.pathParameter("name"), by: principal)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: encoded)))
        }
    }

    /// The connection use cases, sealing with this service's keys.
    var connectionManagement: ConnectionManagement { ConnectionManagement(repository: repository, keys: SealingKeys(keys)) }

    /// Validates, seals and stores a new connection; the organization's environments come back for showing it.
    func createConnection(_ draft: ConnectionDraft<CredentialValue>, by principal: Principal) async throws -> (StoredConnection, [RuntimeEnvironment]) {
        try await inAPIWords { try await connectionManagement.create(draft, in: principal.organizationID, by: actor(principal)) }
    }

    /// The same, once per `claim`: the connection and the answer kept for its key are stored in one transaction,
    /// so a create that committed is always answered again to a retry, even after a crash.
    func createConnection(_ draft: ConnectionDraft<CredentialValue>, by principal: Principal, once claim: IdempotencyClaim) async throws -> IdempotentCreation {
        try await inAPIWords {
            try await connectionManagement.create(draft, in: principal.organizationID, by: actor(principal), once: claim) { connection, environments in
                (HTTPResponse.Status.created.code, try ServiceJSON.encoder.encode(Components.Schemas.Connection(connection, environments: environments)))
            }
        }
    }

    /// Applies a change: fields and secrets the draft leaves out keep their stored values.
    func updateConnection(named name: String, with draft: ConnectionDraft<CredentialValue>, by principal: Principal) async throws -> (StoredConnection, [RuntimeEnvironment]) {
        try await inAPIWords { try await connectionManagement.update(named: name, with: draft, in: principal.organizationID, by: actor(principal)) }
    }

    /// Runs Test Connection as a task on the connection's runtime environment, waits for it, keeps and counts the result;
    /// answers the report and its JSON. A task still waiting when `taskWait` is up is answered by ``TaskPending``, at once when no agent of
    /// its Secure Agent group is available.
    func testConnection(named name: String, by principal: Principal) async throws -> (ConnectionTestReport, Data) {
        let metrics = self.metrics
        let testing = ConnectionTesting(repository: repository, keys: SealingKeys(keys), encode: { report in try ServiceJSON.encoder.encode(report) },
                                        onTested: { succeeded in metrics.connectionTested(succeeded: succeeded) })
        let outcome = try await inAPIWords {
            try await testing.test(named: name, in: principal.organizationID, by: actor(principal), waiter: taskWaiter, upTo: taskWait)
        }
        switch outcome {
        case .report(let report, let encoded): return (report, encoded)
        case .pending(let task, let environments, let availability): throw TaskPending(task: task, environments: environments, availability: availability)
        }
    }

    /// The use cases name a missing master key in the command line's words (its options); the API keeps its own sentence.
    func inAPIWords<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as UseCaseError where error == SealingKeys.noKeyring {
            throw Self.noKeyring
        }
    }

    /// A page of connections, by name, filtered: `limit` (1 to 200, default 50), `cursor` (the last name of the previous page),
    /// `nameContains`, `authenticationType`, `runtimeEnvironment`.
    func list(_ request: Request, _ principal: Principal) async throws -> Response {
        let query = request.uri.queryParameters
        let limit = try request.integerQuery("limit") ?? 50
        guard (1...200).contains(limit) else { throw APIError.invalid("limit", "limit is \(limit); expected 1 to 200.") }
        var filter = ConnectionFilter(nameContains: query.get("nameContains").map { String($0) })
        if let type = query.get("authenticationType") {
            guard let parsed = AuthenticationType(rawValue: String(type).lowercased()) else {
                throw APIError.invalid("authenticationType", "authenticationType '\(type)' is unknown; expected api-key or oauth2.")
            }
            filter.authenticationType = parsed
        }
        if let name = query.get("runtimeEnvironment") {
            let key = try RuntimeEnvironmentName(String(name)).comparisonKey
            let environments = try await repository.runtimeEnvironments(of: principal.organizationID)
            guard let environment = environments.first(where: { $0.name.comparisonKey == key }) else {
                throw APIError.invalid("runtimeEnvironment", "There is no runtime environment '\(name)'.")
            }
            filter.runtimeEnvironmentID = environment.id
        }
        let cache = viewCache
        // Entries found in the cache are kept as they are found: an eviction meanwhile cannot lose them.
        let found = Mutex<[ConnectionVersion: ConnectionViewCache.Entry]>([:])
        let page = try await repository.connectionVersionPage(
            of: principal.organizationID, matching: filter, after: query.get("cursor").map({ String($0) }).flatMap { $0.isEmpty ? nil : $0 },
            limit: limit + 1, known: { version in
                guard let entry = cache.entry(version) else { return false }
                found.withLock { $0[version] = entry }
                return true
            })
        var entries = found.withLock { $0 }
        if !page.unknown.isEmpty {
            // Environment names are needed only to build views not kept yet.
            let environments = try await repository.runtimeEnvironments(of: principal.organizationID)
            var built: [ConnectionVersion: ConnectionViewCache.Entry] = [:]
            for connection in page.unknown {
                built[ConnectionVersion(id: connection.id, updatedAt: connection.updatedAt)] =
                    try ConnectionViewCache.entry(Components.Schemas.Connection(connection, environments: environments))
            }
            cache.keep(built)
            entries.merge(built) { $1 }
        }
        let versions = Array(page.versions.prefix(limit))
        // Every version is either found or built in the same read; a connection deleted meanwhile is simply not there.
        let items = versions.compactMap { version in entries[version].map { ($0, page.lastTests[version.id]) } }
        // One more than asked was read: whether it came tells if there is a next page.
        let next = page.versions.count > limit ? items.last?.0.view.name : nil
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: ConnectionViewCache.page(items, nextCursor: next, total: page.total))))
    }

    /// The request's `Idempotency-Key` with the fingerprint of its body; nil when it sends none.
    static func idempotencyClaim(_ request: Request, body: Data) throws -> IdempotencyClaim? {
        guard let key = request.headers[.idempotencyKey] else { return nil }
        guard !key.isEmpty, key.count <= 200 else { throw APIError.invalid("Idempotency-Key", "An Idempotency-Key has 1 to 200 characters.") }
        // The body's meaning, not its bytes: a client may order keys differently on a retry.
        let canonical = (try? JSONSerialization.jsonObject(with: body)).flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) } ?? body
        return IdempotencyClaim(key: key, requestHash: SHA256Digest.data(canonical))
    }

    /// The first answer to a key again, when the retry sent the same body; the same key with another body is refused.
    static func replay(_ earlier: IdempotentResponse, for claim: IdempotencyClaim) throws -> Response {
        guard earlier.requestHash == claim.requestHash else {
            throw APIError(.unprocessableContent, code: "idempotency_key_reused", "This Idempotency-Key was used with another body; use a new key.",
                           field: "Idempotency-Key")
        }
        var headers: HTTPFields = [.contentType: "application/json", .idempotentReplayed: "true"]
        // The first answer's Location, from the connection it created: a retry gets the same answer.
        if earlier.status == 201, let created = try? JSONDecoder().decode(CreatedName.self, from: earlier.body) {
            headers[.location] = "/api/v1/connections/\(pathComponent(created.name))"
        }
        return Response(status: .init(code: earlier.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: earlier.body)))
    }

    /// The one field of a created connection's answer that its Location needs.
    private struct CreatedName: Decodable { let name: String }

    static func location(of connection: StoredConnection) -> HTTPFields {
        [.location: "/api/v1/connections/\(pathComponent(connection.name.value))"]
    }

    /// A connection on the serverless environment whose credentials this service cannot have is refused up front, saying where they are.
    func checkRunnable(_ connection: StoredConnection, in environments: [RuntimeEnvironment]) throws {
        do {
            try ServerlessRunCheck.check(connection, in: environments, keys: SealingKeys(keys))
        } catch where error == SealingKeys.noKeyring {
            throw Self.noKeyring
        }
    }

    static let noKeyring = APIError(.serviceUnavailable, code: "no_master_key", "The service has no master key loaded to seal credentials.")

    static func pathComponent(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? name
    }
}

extension ServiceJSON {
    static func decode<T: Decodable>(_ type: T.Type, from body: Data) throws -> T {
        do { return try decoder.decode(T.self, from: body) } catch let error as DecodingError { throw APIError.decoding(error) }
    }
}

extension HTTPField.Name {
    // Both literals are valid field names; the initializer fails only on invalid ones.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key") ?? .contentType
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed") ?? .contentType
    /// The claim's lease token an agent sends back on renew, logs and finish (the agent's side names it the same).
    static let leaseToken = HTTPField.Name("Lease-Token") ?? .contentType
}
