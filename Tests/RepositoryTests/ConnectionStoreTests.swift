import Foundation
import QlikConnections
import Testing
@testable import Repository
import TestRepositories

@Suite("Connection storage, the same on SQLite and PostgreSQL")
struct ConnectionStoreTests {
    @Test("stores and reads back a connection exactly", arguments: RepositoryBackend.allCases)
    func roundTrip(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let connection = try await fixture.connection("Sales EU")
        try await fixture.repository.createConnection(connection, by: fixture.actor)
        let read = try await fixture.repository.connection(named: "sales eu", in: fixture.organization.id)
        #expect(read == connection)
    }

    @Test("a connection or runtime environment not found offers the organization's nearest names, never another organization's", arguments: RepositoryBackend.allCases)
    func nearestNames(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        try await fixture.repository.createConnection(try await fixture.connection("Sales EU"), by: fixture.actor)
        let other = Organization(name: try OrganizationName("Other"))
        try await fixture.repository.createOrganization(other, by: fixture.actor)
        try await fixture.repository.createRuntimeEnvironment(
            RuntimeEnvironment(organizationID: fixture.organization.id, name: try RuntimeEnvironmentName("EU Agents"), kind: .secureAgentGroup), by: fixture.actor)
        let near = await #expect(throws: RepositoryError.self) { try await fixture.repository.connection(named: "Sales E", in: fixture.organization.id) }
        #expect(near?.description == "No connection named 'Sales E'. Did you mean 'Sales EU'?")
        let deleted = await #expect(throws: RepositoryError.self) { try await fixture.repository.deleteConnection(named: "sales", in: fixture.organization.id, by: fixture.actor) }
        #expect(deleted?.description == "No connection named 'sales'. Did you mean 'Sales EU'?")
        let elsewhere = await #expect(throws: RepositoryError.self) { try await fixture.repository.connection(named: "Sales E", in: other.id) }
        #expect(elsewhere?.description == "No connection named 'Sales E'. There are none.")
        let environment = await #expect(throws: RepositoryError.self) {
            try await fixture.repository.deleteRuntimeEnvironment(named: "EU Agent", in: fixture.organization.id, by: fixture.actor)
        }
        #expect(environment?.description == "No runtime environment named 'EU Agent'. Did you mean 'EU Agents'?")
    }

    @Test("20 concurrent creates of one name, from separate repository handles, yield exactly one connection", arguments: RepositoryBackend.allCases)
    func concurrentCreates(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let spellings = (0..<20).map { $0.isMultiple(of: 2) ? "Sales EU" : "SALES eu" }
        var drafts: [StoredConnection] = []
        for name in spellings { drafts.append(try await fixture.connection(name)) }
        let outcomes = try await withThrowingTaskGroup(of: Result<Void, RepositoryError>.self) { group in
            for connection in drafts {
                group.addTask {
                    // Each task opens its own pool: the database, not one process's lock, must decide.
                    let repository = try await fixture.store.reopen()
                    do {
                        try await repository.createConnection(connection, by: fixture.actor)
                        return .success(())
                    } catch let error as RepositoryError {
                        return .failure(error)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let successes = outcomes.filter { if case .success = $0 { true } else { false } }
        #expect(successes.count == 1)
        for case .failure(let error) in outcomes {
            guard case .duplicateName(kind: "connection", _) = error else {
                Issue.record("unexpected error \(error)")
                continue
            }
        }
        let stored = try await fixture.repository.connections(of: fixture.organization.id, matching: ConnectionFilter())
        #expect(stored.count == 1)
    }

    @Test("the same name may exist in two organizations", arguments: RepositoryBackend.allCases)
    func uniquePerOrganization(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        try await fixture.repository.createConnection(try await fixture.connection("Sales EU"), by: fixture.actor)
        let other = Organization(name: try OrganizationName("Globex"))
        try await fixture.repository.createOrganization(other, by: fixture.actor)
        let environments = try await fixture.repository.runtimeEnvironments(of: other.id)
        let connection = try ConnectionRules(organization: other, runtimeEnvironments: environments).create(ConnectionDraft(
            name: "Sales EU", runtimeEnvironment: "Serverless", authenticationType: "api-key",
            baseURL: "https://globex.us.qlikcloud.com", accessToken: .value(SealedSecret(keyID: "k1", combined: [9]))
        ))
        try await fixture.repository.createConnection(connection, by: fixture.actor)
        #expect(try await fixture.repository.connection(named: "Sales EU", in: other.id).id == connection.id)
    }

    @Test("renaming onto another connection's name (in any case) is refused", arguments: RepositoryBackend.allCases)
    func renameCollision(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let first = try await fixture.connection("Sales EU")
        let second = try await fixture.connection("Finance")
        try await fixture.repository.createConnection(first, by: fixture.actor)
        try await fixture.repository.createConnection(second, by: fixture.actor)
        let renamed = try await fixture.rules().update(second, with: ConnectionDraft(name: "sales EU"))
        await #expect(throws: RepositoryError.duplicateName(kind: "connection", name: "Sales EU")) {
            try await fixture.repository.updateConnection(renamed, replacing: second, by: fixture.actor)
        }
    }

    @Test("an update prepared from a stale copy is refused and writes nothing", arguments: RepositoryBackend.allCases)
    func staleUpdate(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let original = try await fixture.connection("Sales EU")
        try await fixture.repository.createConnection(original, by: fixture.actor)
        let first = try await fixture.rules().update(original, with: ConnectionDraft(description: "first"), at: Date().addingTimeInterval(1))
        try await fixture.repository.updateConnection(first, replacing: original, by: fixture.actor)
        let second = try await fixture.rules().update(original, with: ConnectionDraft(description: "second"), at: Date().addingTimeInterval(2))
        await #expect(throws: RepositoryError.changedMeanwhile(name: "Sales EU")) {
            try await fixture.repository.updateConnection(second, replacing: original, by: fixture.actor)
        }
        #expect(try await fixture.repository.connection(named: "Sales EU", in: fixture.organization.id).description?.value == "first")
    }

    @Test("filters lists by name fragment, authentication type and runtime environment", arguments: RepositoryBackend.allCases)
    func filters(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        try await fixture.repository.createRuntimeEnvironment(
            RuntimeEnvironment(organizationID: fixture.organization.id, name: try RuntimeEnvironmentName("EU Agents"), kind: .secureAgentGroup),
            by: fixture.actor)
        try await fixture.repository.createConnection(try await fixture.connection("Sales EU", environment: "EU Agents"), by: fixture.actor)
        try await fixture.repository.createConnection(try await fixture.connection("Finance"), by: fixture.actor)
        let id = fixture.organization.id
        #expect(try await fixture.repository.connections(of: id, matching: ConnectionFilter(nameContains: "SALES")).map(\.name.value) == ["Sales EU"])
        // The fragment is folded as names are: ß matches SS.
        try await fixture.repository.createConnection(try await fixture.connection("Straße Nord"), by: fixture.actor)
        #expect(try await fixture.repository.connections(of: id, matching: ConnectionFilter(nameContains: "STRASSE")).map(\.name.value) == ["Straße Nord"])
        #expect(try await fixture.repository.connections(of: id, matching: ConnectionFilter(authenticationType: .oauth2)).isEmpty)
        let agents = try await fixture.repository.runtimeEnvironments(of: id).first { $0.kind == .secureAgentGroup }
        #expect(try await fixture.repository.connections(of: id, matching: ConnectionFilter(runtimeEnvironmentID: agents?.id)).map(\.name.value) == ["Sales EU"])
    }

    @Test("a runtime environment that connections use cannot be deleted; serverless never", arguments: RepositoryBackend.allCases)
    func environmentDeletion(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        try await fixture.repository.createRuntimeEnvironment(
            RuntimeEnvironment(organizationID: fixture.organization.id, name: try RuntimeEnvironmentName("EU Agents"), kind: .secureAgentGroup),
            by: fixture.actor)
        try await fixture.repository.createConnection(try await fixture.connection("Sales EU", environment: "EU Agents"), by: fixture.actor)
        await #expect(throws: RepositoryError.runtimeEnvironmentInUse(name: "EU Agents", connections: ["Sales EU"])) {
            _ = try await fixture.repository.deleteRuntimeEnvironment(named: "eu agents", in: fixture.organization.id, by: fixture.actor)
        }
        await #expect(throws: RepositoryError.cannotDeleteServerless) {
            _ = try await fixture.repository.deleteRuntimeEnvironment(named: "Serverless", in: fixture.organization.id, by: fixture.actor)
        }
        _ = try await fixture.repository.deleteConnection(named: "Sales EU", in: fixture.organization.id, by: fixture.actor)
        _ = try await fixture.repository.deleteRuntimeEnvironment(named: "EU Agents", in: fixture.organization.id, by: fixture.actor)
        #expect(try await fixture.repository.runtimeEnvironments(of: fixture.organization.id).map(\.kind) == [.serverless])
    }

    @Test("deleting a connection removes its credentials", arguments: RepositoryBackend.allCases)
    func deleteRemovesCredentials(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        try await fixture.repository.createConnection(try await fixture.connection("Sales EU"), by: fixture.actor)
        _ = try await fixture.repository.deleteConnection(named: "Sales EU", in: fixture.organization.id, by: fixture.actor)
        #expect(try await fixture.store.texts("COUNT(*)", from: "connection_credentials") == ["0"])
    }

    /// The same connection as kept under another organization's id: what a caller holding a wrong copy would send.
    static func moved(_ connection: StoredConnection, to organization: OrganizationID) throws -> StoredConnection {
        try StoredConnection(id: connection.id, organizationID: organization, name: connection.name, description: connection.description,
                             runtimeEnvironmentID: connection.runtimeEnvironmentID, useSecretVault: connection.useSecretVault,
                             authentication: connection.authentication, createdAt: connection.createdAt, updatedAt: connection.updatedAt)
    }

    @Test("an update whose previous copy names another organization is refused and writes nothing", arguments: RepositoryBackend.allCases)
    func updateScopedToOrganization(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let original = try await fixture.connection("Sales EU")
        try await fixture.repository.createConnection(original, by: fixture.actor)
        let other = Organization(name: try OrganizationName("Other"))
        try await fixture.repository.createOrganization(other, by: fixture.actor)
        let changed = try await fixture.rules().update(original, with: ConnectionDraft(description: "changed"), at: Date().addingTimeInterval(1))
        await #expect(throws: RepositoryError.changedMeanwhile(name: "Sales EU")) {
            try await fixture.repository.updateConnection(try Self.moved(changed, to: other.id), replacing: try Self.moved(original, to: other.id),
                                                          by: fixture.actor)
        }
        #expect(try await fixture.repository.connection(named: "Sales EU", in: fixture.organization.id) == original)
    }

    @Test("an update never moves a connection to another organization", arguments: RepositoryBackend.allCases)
    func updateKeepsOrganization(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let original = try await fixture.connection("Sales EU")
        try await fixture.repository.createConnection(original, by: fixture.actor)
        let other = Organization(name: try OrganizationName("Other"))
        try await fixture.repository.createOrganization(other, by: fixture.actor)
        let changed = try await fixture.rules().update(original, with: ConnectionDraft(description: "changed"), at: Date().addingTimeInterval(1))
        try await fixture.repository.updateConnection(try Self.moved(changed, to: other.id), replacing: original, by: fixture.actor)
        #expect(try await fixture.store.texts("organization_id", from: "connections") == [fixture.organization.id.description])
        #expect(try await fixture.repository.connection(named: "Sales EU", in: fixture.organization.id).description?.value == "changed")
    }

    @Test("lists, pages and version pages give each connection its own credentials, in name order", arguments: RepositoryBackend.allCases)
    func listsCarryEachConnectionsCredentials(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        var created: [StoredConnection] = []
        for (index, name) in ["Alpha", "Beta", "Gamma"].enumerated() {
            let connection = try await fixture.connection(name, token: [UInt8(index + 1), 9])
            try await fixture.repository.createConnection(connection, by: fixture.actor)
            created.append(connection)
        }
        let id = fixture.organization.id
        #expect(try await fixture.repository.connections(of: id, matching: ConnectionFilter()) == created)
        #expect(try await fixture.repository.connectionPage(of: id, matching: ConnectionFilter(), after: nil, limit: 10).items == created)
        let page = try await fixture.repository.connectionVersionPage(of: id, matching: ConnectionFilter(), after: nil, limit: 10) { _ in false }
        #expect(page.unknown == created)
    }
}
