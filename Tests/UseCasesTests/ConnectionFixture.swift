import Foundation
import QlikConnections
import Repository
import Secrets
import Synchronization
import TestRepositories
import UseCases

/// A task fixture with a master key registered, for the connection use cases.
struct ConnectionFixture {
    let base: TaskFixture
    var repository: any ConnectorRepository { base.repository }
    var organization: Organization { base.organization }
    var actor: AuditActor { base.actor }
    let key = MasterKey.generate()

    init(_ backend: RepositoryBackend) async throws {
        base = try await TaskFixture(backend)
        _ = try await base.repository.activeMasterKeyID(registeringIfNone: key.id)
    }

    var keys: SealingKeys { SealingKeys(.fixed(Keyring(active: key))) }
    var management: ConnectionManagement { ConnectionManagement(repository: repository, keys: keys) }

    /// An API-key connection to a Qlik Cloud tenant on `environment`, its token given now.
    static func draft(_ name: String, token: String = "first-token", on environment: String = "Serverless") throws -> ConnectionDraft<CredentialValue> {
        guard let secret = Secret(token) else { throw FixtureError("'\(token)' is no secret.") }
        return ConnectionDraft(name: name, runtimeEnvironment: environment, authenticationType: "api-key", baseURL: "https://acme.eu.qlikcloud.com",
                               accessToken: .value(.new(secret)))
    }

    /// The stored Access Token's sealed value, as the repository keeps it.
    func storedToken(of name: String) async throws -> SealedSecret? {
        let connection = try await repository.connection(named: name, in: organization.id)
        return connection.authentication.credentials.compactMap { field, credential -> SealedSecret? in
            guard field == .accessToken, case .value(let sealed) = credential else { return nil }
            return sealed
        }.first
    }
}

/// The connection records of a repository, running `meanwhile` once, right after the first read of the allow-list: the
/// last read a create makes before its write transaction, so what `meanwhile` changes lands between a check made on
/// earlier reads and the write.
final class InterleavedRecords: ConnectionRecords {
    let base: any ConnectorRepository
    private let pending: Mutex<(@Sendable () async throws -> Void)?>

    init(_ base: any ConnectorRepository, meanwhile: @escaping @Sendable () async throws -> Void) {
        self.base = base
        pending = Mutex(meanwhile)
    }

    func tenantHostEntries() async throws -> [TenantHostEntry] {
        let entries = try await base.tenantHostEntries()
        if let meanwhile = pending.withLock({ pending in defer { pending = nil }; return pending }) { try await meanwhile() }
        return entries
    }

    func allowTenantHost(_ pattern: HostPattern, by actor: AuditActor) async throws -> Bool { try await base.allowTenantHost(pattern, by: actor) }
    func removeTenantHost(entry: String, by actor: AuditActor) async throws -> Bool { try await base.removeTenantHost(entry: entry, by: actor) }
    func createOrganization(_ organization: Organization, by actor: AuditActor) async throws { try await base.createOrganization(organization, by: actor) }
    func organizations() async throws -> [Organization] { try await base.organizations() }
    func organization(named name: String) async throws -> Organization { try await base.organization(named: name) }
    func organization(_ id: OrganizationID) async throws -> Organization { try await base.organization(id) }
    func updateOrganization(_ organization: Organization, managerCredentials: [SecretsManagerField: SealedSecret]?, by actor: AuditActor) async throws {
        try await base.updateOrganization(organization, managerCredentials: managerCredentials, by: actor)
    }
    func createRuntimeEnvironment(_ environment: RuntimeEnvironment, by actor: AuditActor) async throws {
        try await base.createRuntimeEnvironment(environment, by: actor)
    }
    func runtimeEnvironments(of organization: OrganizationID) async throws -> [RuntimeEnvironment] { try await base.runtimeEnvironments(of: organization) }
    func deleteRuntimeEnvironment(named name: String, in organization: OrganizationID, by actor: AuditActor) async throws -> RuntimeEnvironment {
        try await base.deleteRuntimeEnvironment(named: name, in: organization, by: actor)
    }
    func createConnection(_ connection: StoredConnection, by actor: AuditActor) async throws { try await base.createConnection(connection, by: actor) }
    func createConnection(in organization: OrganizationID, by actor: AuditActor,
                          building build: @escaping @Sendable (Organization, [RuntimeEnvironment]) throws -> StoredConnection)
        async throws -> (StoredConnection, [RuntimeEnvironment]) {
        try await base.createConnection(in: organization, by: actor, building: build)
    }
    func connections(of organization: OrganizationID, matching filter: ConnectionFilter) async throws -> [StoredConnection] {
        try await base.connections(of: organization, matching: filter)
    }
    func connectionPage(of organization: OrganizationID, matching filter: ConnectionFilter, after cursor: String?, limit: Int) async throws -> ConnectionPage {
        try await base.connectionPage(of: organization, matching: filter, after: cursor, limit: limit)
    }
    func connectionVersionPage(of organization: OrganizationID, matching filter: ConnectionFilter, after cursor: String?, limit: Int,
                               known: @escaping @Sendable (ConnectionVersion) -> Bool) async throws -> ConnectionVersionPage {
        try await base.connectionVersionPage(of: organization, matching: filter, after: cursor, limit: limit, known: known)
    }
    func connection(named name: String, in organization: OrganizationID) async throws -> StoredConnection {
        try await base.connection(named: name, in: organization)
    }
    func updateConnection(_ connection: StoredConnection, replacing previous: StoredConnection, by actor: AuditActor) async throws {
        try await base.updateConnection(connection, replacing: previous, by: actor)
    }
    func deleteConnection(named name: String, in organization: OrganizationID, by actor: AuditActor) async throws -> StoredConnection {
        try await base.deleteConnection(named: name, in: organization, by: actor)
    }
    func recordTest(_ record: ConnectionTestRecord, of connection: StoredConnection, by actor: AuditActor) async throws {
        try await base.recordTest(record, of: connection, by: actor)
    }
    func lastTest(of connection: ConnectionID) async throws -> ConnectionTestRecord? { try await base.lastTest(of: connection) }
    func lastTests(of connections: [ConnectionID]) async throws -> [ConnectionID: ConnectionTestRecord] { try await base.lastTests(of: connections) }
    func idempotentResponse(key: String, in organization: OrganizationID) async throws -> IdempotentResponse? {
        try await base.idempotentResponse(key: key, in: organization)
    }
    func createConnection(in organization: OrganizationID, by actor: AuditActor, once claim: IdempotencyClaim,
                          building build: @escaping @Sendable (Organization, [RuntimeEnvironment]) throws -> StoredConnection,
                          answering answer: @escaping @Sendable (StoredConnection, [RuntimeEnvironment]) throws -> (status: Int, body: Data))
        async throws -> IdempotentCreation {
        try await base.createConnection(in: organization, by: actor, once: claim, building: build, answering: answer)
    }
}
