import Foundation
import QlikConnections
@testable import Repository
import Testing
import TestRepositories

@Suite("Connection names that look alike (UTS #39 confusables) are refused like names that differ only in case")
struct LookalikeNameTests {
    static let cyrillic = "S\u{430}les A"  // а: CYRILLIC SMALL LETTER A
    static let fullwidth = "\u{FF33}\u{FF41}\u{FF4C}\u{FF45}\u{FF53} \u{FF21}"  // Ｓａｌｅｓ Ａ
    static let doubledSpace = "Sales  A"  // two spaces: HTML draws it as 'Sales A'

    @Test("beside 'Sales A', a create of 'Sаles A' (Cyrillic а), 'Ｓａｌｅｓ Ａ' (fullwidth) or 'Sales  A' (two spaces) is refused naming 'Sales A'; 'Sales B' is accepted",
          arguments: RepositoryBackend.allCases)
    func create(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        try await fixture.repository.createConnection(try await fixture.connection("Sales A"), by: fixture.actor)
        for lookalike in [Self.cyrillic, Self.fullwidth, Self.doubledSpace] {
            await #expect(throws: RepositoryError.lookalikeName(kind: "connection", existing: "Sales A", name: lookalike)) {
                try await fixture.repository.createConnection(try await fixture.connection(lookalike), by: fixture.actor)
            }
        }
        try await fixture.repository.createConnection(try await fixture.connection("Sales B"), by: fixture.actor)
        #expect(try await fixture.repository.connections(of: fixture.organization.id, matching: ConnectionFilter()).map(\.name.value) == ["Sales A", "Sales B"])
        #expect(RepositoryError.lookalikeName(kind: "connection", existing: "Sales A", name: Self.cyrillic).description
            == "A connection named 'Sales A' already exists and '\(Self.cyrillic)' looks the same (it differs only in look-alike characters); choose another name.")
    }

    @Test("renaming a connection to a look-alike of another's name (look-alike letters, two spaces) is refused; its own name in look-alike letters or spacing is not a clash",
          arguments: RepositoryBackend.allCases)
    func rename(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        try await fixture.repository.createConnection(try await fixture.connection("Sales A"), by: fixture.actor)
        let other = try await fixture.connection("Sales B")
        try await fixture.repository.createConnection(other, by: fixture.actor)
        for lookalike in [Self.cyrillic, Self.fullwidth, Self.doubledSpace] {
            let renamed = try await fixture.rules().update(other, with: ConnectionDraft(name: lookalike))
            await #expect(throws: RepositoryError.lookalikeName(kind: "connection", existing: "Sales A", name: lookalike)) {
                try await fixture.repository.updateConnection(renamed, replacing: other, by: fixture.actor)
            }
        }
        // "Sales B" respelt with a Cyrillic В only looks like itself.
        let respelt = try await fixture.rules().update(other, with: ConnectionDraft(name: "Sales \u{412}"))
        try await fixture.repository.updateConnection(respelt, replacing: other, by: fixture.actor)
        #expect(try await fixture.repository.connection(named: "Sales \u{412}", in: fixture.organization.id).id == other.id)
        let spaced = try await fixture.rules().update(respelt, with: ConnectionDraft(name: "Sales  \u{412}"))
        try await fixture.repository.updateConnection(spaced, replacing: respelt, by: fixture.actor)
        #expect(try await fixture.repository.connection(named: "Sales  \u{412}", in: fixture.organization.id).id == other.id)
    }

    @Test("a runtime environment beside 'EU Agents' named 'EU  Agents' (two spaces) or 'ЕU Agents' (Cyrillic Е) is refused naming it; 'Server1ess' beside Serverless too; 'EU Agents 2' is accepted",
          arguments: RepositoryBackend.allCases)
    func runtimeEnvironments(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        func environment(_ name: String) throws -> RuntimeEnvironment {
            RuntimeEnvironment(organizationID: fixture.organization.id, name: try RuntimeEnvironmentName(name), kind: .secureAgentGroup)
        }
        try await fixture.repository.createRuntimeEnvironment(try environment("EU Agents"), by: fixture.actor)
        for lookalike in ["EU  Agents", "\u{415}U Agents"] {
            await #expect(throws: RepositoryError.lookalikeName(kind: "runtime environment", existing: "EU Agents", name: lookalike)) {
                try await fixture.repository.createRuntimeEnvironment(try environment(lookalike), by: fixture.actor)
            }
        }
        await #expect(throws: RepositoryError.lookalikeName(kind: "runtime environment", existing: "Serverless", name: "Server1ess")) {
            try await fixture.repository.createRuntimeEnvironment(try environment("Server1ess"), by: fixture.actor)
        }
        await #expect(throws: RepositoryError.duplicateName(kind: "runtime environment", name: "eu agents"), "the same name is a duplicate, said as such") {
            try await fixture.repository.createRuntimeEnvironment(try environment("eu agents"), by: fixture.actor)
        }
        try await fixture.repository.createRuntimeEnvironment(try environment("EU Agents 2"), by: fixture.actor)
        #expect(try await fixture.repository.runtimeEnvironments(of: fixture.organization.id).map(\.name.value) == ["Serverless", "EU Agents", "EU Agents 2"])
    }

    @Test("an organization created or renamed onto a look-alike of another's name ('Acme  Corp', 'Асme Corp') is refused naming it; its other settings still change",
          arguments: RepositoryBackend.allCases)
    func organizations(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let corp = Organization(name: try OrganizationName("Acme Corp"))
        try await fixture.repository.createOrganization(corp, by: fixture.actor)
        for lookalike in ["Acme  Corp", "\u{410}\u{441}me Corp"] {
            await #expect(throws: RepositoryError.lookalikeName(kind: "organization", existing: "Acme Corp", name: lookalike)) {
                try await fixture.repository.createOrganization(Organization(name: try OrganizationName(lookalike)), by: fixture.actor)
            }
            var renamed = fixture.organization
            renamed.name = try OrganizationName(lookalike)
            await #expect(throws: RepositoryError.lookalikeName(kind: "organization", existing: "Acme Corp", name: lookalike)) {
                try await fixture.repository.updateOrganization(renamed, managerCredentials: nil, by: fixture.actor)
            }
        }
        var kept = corp
        kept.credentialStorage = .localAgent
        try await fixture.repository.updateOrganization(kept, managerCredentials: nil, by: fixture.actor)
        // A change of letter case (all the API lets an organization's administrator do) compares nothing, so it never names another organization.
        let lookalike = Organization(name: try OrganizationName("Acrne"))
        try await fixture.store.execute(["INSERT INTO organizations (id, name, name_key, credential_storage, created_at, updated_at) "
            + "VALUES ('\(lookalike.id)', 'Acrne', 'acrne', 'repository', 0, 0)"])
        var recased = fixture.organization
        recased.name = try OrganizationName("ACME")
        try await fixture.repository.updateOrganization(recased, managerCredentials: nil, by: fixture.actor)
        #expect(try await fixture.repository.organizations().map(\.name.value).sorted() == ["ACME", "Acme Corp", "Acrne"])
    }

    @Test("another organization may have a look-alike of this one's connection name", arguments: RepositoryBackend.allCases)
    func otherOrganization(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        try await fixture.repository.createConnection(try await fixture.connection("Sales A"), by: fixture.actor)
        let other = Organization(name: try OrganizationName("Globex"))
        try await fixture.repository.createOrganization(other, by: fixture.actor)
        let rules = ConnectionRules(organization: other, runtimeEnvironments: try await fixture.repository.runtimeEnvironments(of: other.id))
        let connection = try rules.create(ConnectionDraft(name: Self.cyrillic, runtimeEnvironment: "Serverless", authenticationType: "api-key",
                                                          baseURL: "https://globex.us.qlikcloud.com", accessToken: .value(SealedSecret(keyID: "k1", combined: [9]))))
        try await fixture.repository.createConnection(connection, by: fixture.actor)
        #expect(try await fixture.repository.connection(named: Self.cyrillic, in: other.id).id == connection.id)
    }

    @Test("the migration keeps connections that already look alike: the older takes the name, the other may still be changed under its own and is refused a new look-alike",
          arguments: RepositoryBackend.allCases)
    func migrationKeepsExistingLookalikes(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        let older = try await fixture.connection("Sales A")
        try await fixture.repository.createConnection(older, by: fixture.actor)
        let newer = try await fixture.connection("Sales B")
        try await fixture.repository.createConnection(newer, by: fixture.actor)
        // The database as it was before the step: no look-alike key, and two names that look the same.
        let record = backend == .sqlite ? "DELETE FROM grdb_migrations WHERE identifier LIKE '%-connection-lookalike-names'"
                                        : "DELETE FROM schema_migrations WHERE name LIKE '%-connection-lookalike-names'"
        try await fixture.store.execute([
            "DROP INDEX connections_unique_lookalike",
            "ALTER TABLE connections DROP COLUMN name_skeleton",
            "UPDATE connections SET name = '\(Self.cyrillic)', name_key = '\(nameComparisonKey(Self.cyrillic))' WHERE id = '\(newer.id)'",
            record,
        ])
        let repository = try await fixture.store.reopen()
        let names = try await repository.connections(of: fixture.organization.id, matching: ConnectionFilter()).map(\.name.value)
        #expect(Set(names) == ["Sales A", Self.cyrillic])
        let kept = try await repository.connection(named: Self.cyrillic, in: fixture.organization.id)
        let described = try await fixture.rules().update(kept, with: ConnectionDraft(description: "kept as it was"))
        try await repository.updateConnection(described, replacing: kept, by: fixture.actor)
        let renamed = try await fixture.rules().update(described, with: ConnectionDraft(name: Self.fullwidth), at: Date().addingTimeInterval(1))
        await #expect(throws: RepositoryError.lookalikeName(kind: "connection", existing: "Sales A", name: Self.fullwidth)) {
            try await repository.updateConnection(renamed, replacing: described, by: fixture.actor)
        }
        // Renamed to something of its own, it takes a key like any other connection.
        let fixed = try await fixture.rules().update(described, with: ConnectionDraft(name: "Sales A old"), at: Date().addingTimeInterval(2))
        try await repository.updateConnection(fixed, replacing: described, by: fixture.actor)
        #expect(try await fixture.store.texts("name_skeleton IS NOT NULL", from: "connections").count == 2)
    }

    @Test("when the connection holding a name's look-alike key is deleted, a look-alike kept since the migration takes the key over: a new look-alike is still refused",
          arguments: RepositoryBackend.allCases)
    func deletedHolderHandsTheKeyOver(_ backend: RepositoryBackend) async throws {
        let fixture = try await RepositoryFixture(backend)
        try await fixture.repository.createConnection(try await fixture.connection("Sales A"), by: fixture.actor)
        let newer = try await fixture.connection("Sales B")
        try await fixture.repository.createConnection(newer, by: fixture.actor)
        // As the migration leaves two names that already looked alike: the older holds the key, the other has none.
        try await fixture.store.execute([
            "UPDATE connections SET name = '\(Self.cyrillic)', name_key = '\(nameComparisonKey(Self.cyrillic))', name_skeleton = NULL WHERE id = '\(newer.id)'",
        ])
        _ = try await fixture.repository.deleteConnection(named: "Sales A", in: fixture.organization.id, by: fixture.actor)
        await #expect(throws: RepositoryError.lookalikeName(kind: "connection", existing: Self.cyrillic, name: Self.fullwidth)) {
            try await fixture.repository.createConnection(try await fixture.connection(Self.fullwidth), by: fixture.actor)
        }
        await #expect(throws: RepositoryError.lookalikeName(kind: "connection", existing: Self.cyrillic, name: "Sales A")) {
            try await fixture.repository.createConnection(try await fixture.connection("Sales A"), by: fixture.actor)
        }
    }
}
