import Foundation
import Testing
@testable import QlikConnections

/// Builds organizations and drafts for the rule tests.
private struct Fixture {
    var organization: Organization
    let agents: RuntimeEnvironment
    let serverless: RuntimeEnvironment

    var hosts: TenantHostPolicy

    init(storage: CredentialStorage = .repository, manager: SecretsManagerSettings? = nil, hosts: [String] = []) throws {
        organization = Organization(name: try OrganizationName("Acme"), credentialStorage: storage, secretsManager: manager)
        self.hosts = try TenantHostPolicy(parsing: hosts)
        agents = RuntimeEnvironment(organizationID: organization.id, name: try RuntimeEnvironmentName("EU Agents"), kind: .secureAgentGroup)
        serverless = .serverless(for: organization.id)
    }

    var rules: ConnectionRules { ConnectionRules(organization: organization, runtimeEnvironments: [serverless, agents], hosts: hosts) }

    static func apiKey(_ token: CredentialInput<String>? = .value("tok")) -> ConnectionDraft<String> {
        ConnectionDraft(name: "Sales EU", runtimeEnvironment: "eu agents", authenticationType: "api-key",
                        baseURL: "https://acme.eu.qlikcloud.com", accessToken: token)
    }

    static func oauth(id: CredentialInput<String>? = .value("cid"), secret: CredentialInput<String>? = .value("sec")) -> ConnectionDraft<String> {
        ConnectionDraft(name: "Sales EU", runtimeEnvironment: "Serverless", authenticationType: "oauth2",
                        baseURL: "https://acme.eu.qlikcloud.com", clientID: id, clientSecret: secret)
    }
}

@Suite("Connection definition rules")
struct ConnectionRulesTests {
    @Test("builds an API-key connection with exactly its fields")
    func apiKey() throws {
        let fixture = try Fixture()
        let connection = try fixture.rules.create(Fixture.apiKey())
        #expect(connection.authentication == .apiKey(baseURL: try TenantURL("https://acme.eu.qlikcloud.com"), accessToken: .value("tok")))
        #expect(connection.runtimeEnvironmentID == fixture.agents.id)
        #expect(!connection.useSecretVault)
    }

    @Test("builds an OAuth 2.0 connection with exactly its fields")
    func oauth() throws {
        let connection = try Fixture().rules.create(Fixture.oauth())
        guard case .oauth2(_, .value("cid"), .value("sec")) = connection.authentication else {
            Issue.record("expected OAuth 2.0 credentials, got \(connection.authentication)")
            return
        }
    }

    @Test("refuses fields of the other authentication type")
    func wrongTypeFields() throws {
        var draft = Fixture.apiKey()
        draft.clientSecret = .value("x")
        let error = #expect(throws: ConnectionValidationError.self) { try Fixture().rules.create(draft) }
        #expect(error?.names(.clientSecret) == true)
        #expect(error?.description.contains("does not belong to API Key authentication") == true)

        var oauth = Fixture.oauth()
        oauth.accessToken = .value("x")
        let oauthError = #expect(throws: ConnectionValidationError.self) { try Fixture().rules.create(oauth) }
        #expect(oauthError?.names(.accessToken) == true)
    }

    @Test("requires every field of the chosen type", arguments: [
        (Fixture.apiKey(nil), ConnectionField.accessToken),
        (Fixture.oauth(id: nil), ConnectionField.clientID),
        (Fixture.oauth(secret: nil), ConnectionField.clientSecret),
    ])
    func requiredCredentials(_ draft: ConnectionDraft<String>, _ field: ConnectionField) throws {
        let error = #expect(throws: ConnectionValidationError.self) { try Fixture().rules.create(draft) }
        #expect(error?.names(field) == true)
    }

    @Test("requires name, runtime environment, authentication type and base URL, reporting all at once")
    func requiredFields() throws {
        let error = #expect(throws: ConnectionValidationError.self) { try Fixture().rules.create(ConnectionDraft<String>()) }
        for field in [ConnectionField.name, .runtimeEnvironment, .authenticationType, .baseURL] {
            #expect(error?.names(field) == true, "\(field)")
        }
    }

    @Test("refuses an unknown authentication type")
    func unknownType() throws {
        var draft = Fixture.apiKey()
        draft.authenticationType = "basic"
        let error = #expect(throws: ConnectionValidationError.self) { try Fixture().rules.create(draft) }
        #expect(error?.description.contains("expected api-key or oauth2") == true)
    }

    @Test("requires an existing runtime environment of the organization")
    func runtimeEnvironmentMustExist() throws {
        var draft = Fixture.apiKey()
        draft.runtimeEnvironment = "US Agents"
        let error = #expect(throws: ConnectionValidationError.self) { try Fixture().rules.create(draft) }
        #expect(error?.names(.runtimeEnvironment) == true)
        #expect(error?.description.contains("'Serverless', 'EU Agents'") == true)
    }

    @Test("refuses Use Secret Vault when the organization has no secrets manager")
    func vaultNeedsManager() throws {
        var draft = Fixture.apiKey()
        draft.useSecretVault = true
        let error = #expect(throws: ConnectionValidationError.self) { try Fixture().rules.create(draft) }
        #expect(error?.names(.useSecretVault) == true)
        #expect(error?.description.contains("has none configured") == true)
    }

    @Test("takes chosen credentials as references when the vault is on, and stores the others")
    func vaultReferences() throws {
        let fixture = try Fixture(manager: try .aws(region: "eu-west-1", endpoint: nil))
        var draft = Fixture.oauth(id: .value("cid"), secret: .reference("prod/qlik:clientSecret"))
        draft.useSecretVault = true
        let connection = try fixture.rules.create(draft)
        #expect(connection.useSecretVault)
        guard case .oauth2(_, .value("cid"), .secretReference(.aws(secretID: "prod/qlik", key: "clientSecret"))) = connection.authentication else {
            Issue.record("unexpected credentials \(connection.authentication)")
            return
        }
    }

    @Test("refuses a reference when the vault is off")
    func referenceNeedsVault() throws {
        let fixture = try Fixture(manager: try .aws(region: "eu-west-1", endpoint: nil))
        let error = #expect(throws: ConnectionValidationError.self) { try fixture.rules.create(Fixture.apiKey(.reference("prod/qlik:token"))) }
        #expect(error?.description.contains("Use Secret Vault is off") == true)
    }

    @Test("refuses a reference malformed for the organization's manager")
    func malformedReference() throws {
        let fixture = try Fixture(manager: try .vault(address: "https://vault.example.com:8200"))
        var draft = Fixture.apiKey(.reference("prod/qlik:token"))
        draft.useSecretVault = true
        let error = #expect(throws: ConnectionValidationError.self) { try fixture.rules.create(draft) }
        #expect(error?.names(.accessToken) == true)
        #expect(error?.description.contains("secret/data/<path>:<key>") == true)
    }

    @Test("a Vault reference must name the organization's configured mount")
    func vaultMount() throws {
        let fixture = try Fixture(manager: try .vault(address: "https://vault.example.com:8200", mount: "kv"))
        var draft = Fixture.apiKey(.reference("secret/data/qlik:token"))
        draft.useSecretVault = true
        let error = #expect(throws: ConnectionValidationError.self) { try fixture.rules.create(draft) }
        #expect(error?.description.contains("uses 'kv'") == true)
        draft.accessToken = .reference("kv/data/qlik:token")
        #expect(try fixture.rules.create(draft).useSecretVault)
    }

    @Test("each update is strictly later than the version it replaces")
    func updatesMoveForward() throws {
        let fixture = try Fixture()
        let now = Date()
        let original = try fixture.rules.create(Fixture.apiKey(), at: now)
        let updated = try fixture.rules.update(original, with: ConnectionDraft(description: "x"), at: now)
        #expect(updated.updatedAt > original.updatedAt)
        #expect(updated.createdAt == original.createdAt)
    }

    @Test("with local-agent storage, keeps no credential and refuses values")
    func localAgentStorage() throws {
        let fixture = try Fixture(storage: .localAgent)
        let connection = try fixture.rules.create(Fixture.apiKey(nil))
        #expect(connection.authentication.credentials.map(\.credential) == [.onAgent])
        let error = #expect(throws: ConnectionValidationError.self) { try fixture.rules.create(Fixture.apiKey()) }
        #expect(error?.description.contains("keeps credentials on its Secure Agents") == true)
    }

    @Test("with local-agent storage, refuses the serverless environment, which has no agents")
    func localAgentNeedsAgents() throws {
        let fixture = try Fixture(storage: .localAgent)
        let error = #expect(throws: ConnectionValidationError.self) { try fixture.rules.create(Fixture.oauth(id: nil, secret: nil)) }
        #expect(error?.names(.runtimeEnvironment) == true)
    }

    @Test("admits a host outside Qlik Cloud only when the operator's allow-list names it, in any numeric spelling")
    func customHosts() throws {
        var draft = Fixture.apiKey()
        draft.baseURL = "http://127.0.0.1:9090"
        #expect(throws: ConnectionValidationError.self) { try Fixture().rules.create(draft) }
        #expect(throws: ConnectionValidationError.self, "another port") { try Fixture(hosts: ["127.0.0.1:9091"]).rules.create(draft) }
        #expect(try Fixture(hosts: ["127.0.0.1:*"]).rules.create(draft).authentication.baseURL.description == "http://127.0.0.1:9090")
        #expect(try Fixture(hosts: ["127.0.0.1:9090"]).rules.create(draft).authentication.baseURL.description == "http://127.0.0.1:9090")
        // The same address spelled as an integer or in hex is the same host to the list, both ways.
        for spelling in ["http://2130706433:9090", "http://0x7f.1:9090", "http://[::ffff:127.0.0.1]:9090"] {
            draft.baseURL = spelling
            #expect(throws: ConnectionValidationError.self, "\(spelling) without an entry") { try Fixture().rules.create(draft) }
            #expect(try Fixture(hosts: ["127.0.0.1:*"]).rules.create(draft).authentication.baseURL.port == 9090, "\(spelling)")
        }
        draft.baseURL = "http://sandbox.test.internal:8080"
        #expect(try Fixture(hosts: ["*.test.internal"]).rules.create(draft).authentication.baseURL.host == "sandbox.test.internal")
    }

    @Test("a metadata or link-local Base URL is refused whatever the list says, and no entry is suggested for it")
    func metadataHosts() throws {
        var draft = Fixture.apiKey()
        for raw in ["http://169.254.169.254", "http://169.254.169.254:80", "http://2852039166", "http://[fd00:ec2::254]", "http://[fe80::1]:8080",
                    "http://metadata.google.internal"] {
            draft.baseURL = raw
            let refused = #expect(throws: ConnectionValidationError.self, "\(raw)") { try Fixture(hosts: ["127.0.0.1:*", "*.google.internal"]).rules.create(draft) }
            let problem = refused?.problems.first { $0.field == .baseURL }
            #expect(problem?.remedy == nil && problem?.message.contains("never") == true, "\(raw): \(problem?.message ?? "")")
        }
    }

    @Test("a host refused only for want of an allow-list entry says only the operator admits it and names the entry as the remedy; other refusals do not")
    func customHostRemedy() throws {
        var draft = Fixture.apiKey()
        draft.baseURL = "http://127.0.0.1:9090"
        let refused = #expect(throws: ConnectionValidationError.self) { try Fixture().rules.create(draft) }
        let problem = try #require(refused?.problems.first { $0.field == .baseURL })
        #expect(problem.remedy == .tenantHostAllowList(pattern: "127.0.0.1:9090"))
        #expect(problem.message.contains("uses http://") && problem.message.contains("admitted only by the operator of this service"), "\(problem.message)")
        // Refused under either policy: the original reason alone, no remedy that would not help.
        for unfixable in ["http://user@127.0.0.1:9090", "http://acme.eu.qlikcloud.com", "https://127.0.0.1:9090/path"] {
            draft.baseURL = unfixable
            let other = #expect(throws: ConnectionValidationError.self) { try Fixture().rules.create(draft) }
            let baseURLProblem = other?.problems.first { $0.field == .baseURL }
            #expect(baseURLProblem != nil && baseURLProblem?.remedy == nil && baseURLProblem?.message.contains("operator") == false, "\(unfixable)")
        }
    }

    @Test("a mistyped Runtime Environment offers the nearest existing name beside the list")
    func runtimeEnvironmentDidYouMean() throws {
        var draft = Fixture.apiKey()
        draft.runtimeEnvironment = "EU Agent"
        let error = #expect(throws: ConnectionValidationError.self) { try Fixture().rules.create(draft) }
        let message = try #require(error?.problems.first { $0.field == .runtimeEnvironment }?.message)
        #expect(message.contains("Did you mean 'EU Agents'?") && message.contains("'Serverless', 'EU Agents'"), "\(message)")
        draft.runtimeEnvironment = "Nothing Like It"
        let far = #expect(throws: ConnectionValidationError.self) { try Fixture().rules.create(draft) }
        #expect(far?.problems.first { $0.field == .runtimeEnvironment }?.message.contains("Did you mean") == false)
    }

    @Test("an update keeps every field, secrets included, that it does not name")
    func updateKeeps() throws {
        let fixture = try Fixture()
        let original = try fixture.rules.create(Fixture.oauth())
        let updated = try fixture.rules.update(original, with: ConnectionDraft(description: "new text"))
        #expect(updated.authentication == original.authentication)
        #expect(updated.name == original.name)
        #expect(updated.description?.value == "new text")
        #expect(updated.changes(from: original) == [FieldChange(field: .description, old: nil, new: "new text")])
        let replaced = try fixture.rules.update(original, with: ConnectionDraft(clientSecret: .value("sec2")))
        #expect(replaced.changes(from: original).map(\.field) == [.clientSecret])
        #expect(replaced.changes(from: original).first?.new?.contains("sec2") == false)
    }

    @Test("an update that switches authentication type needs the new type's credentials")
    func updateSwitchType() throws {
        let fixture = try Fixture()
        let original = try fixture.rules.create(Fixture.apiKey())
        let error = #expect(throws: ConnectionValidationError.self) {
            try fixture.rules.update(original, with: ConnectionDraft(authenticationType: "oauth2"))
        }
        #expect(error?.names(.clientID) == true && error?.names(.clientSecret) == true)
        let switched = try fixture.rules.update(original, with: ConnectionDraft(authenticationType: "oauth2", clientID: .value("i"), clientSecret: .value("s")))
        #expect(switched.authentication.type == .oauth2)
    }

    @Test("turning the vault off needs values for the referenced credentials")
    func vaultOffNeedsValues() throws {
        let fixture = try Fixture(manager: try .aws(region: "eu-west-1", endpoint: nil))
        var draft = Fixture.apiKey(.reference("prod/qlik:token"))
        draft.useSecretVault = true
        let original = try fixture.rules.create(draft)
        #expect(throws: ConnectionValidationError.self) { try fixture.rules.update(original, with: ConnectionDraft(useSecretVault: false)) }
        let off = try fixture.rules.update(original, with: ConnectionDraft(useSecretVault: false, accessToken: .value("t")))
        #expect(!off.useSecretVault)
    }

    @Test("a definition cannot hold a reference with the vault off")
    func invariant() throws {
        let fixture = try Fixture()
        #expect(throws: ConnectionValidationError.self) {
            try ConnectionDefinition<String>(
                id: ConnectionID(), organizationID: fixture.organization.id, name: try ConnectionName("x"), description: nil,
                runtimeEnvironmentID: fixture.serverless.id, useSecretVault: false,
                authentication: .apiKey(baseURL: try TenantURL("https://a.eu.qlikcloud.com"), accessToken: .secretReference(.aws(secretID: "a", key: "b"))),
                createdAt: Date(), updatedAt: Date()
            )
        }
    }
}

@Suite("Services that refuse secret-vault connections")
struct ConnectionUseTests {
    @Test("a secret-vault connection is refused by the services the seed page names", arguments: ConnectionUse.allCases)
    func vaultConnection(_ use: ConnectionUse) throws {
        let fixture = try Fixture(manager: try .aws(region: "eu-west-1", endpoint: nil))
        var draft = Fixture.apiKey(.reference("prod/qlik:token"))
        draft.useSecretVault = true
        let connection = try fixture.rules.create(draft)
        let refused: Set<ConnectionUse> = [.dataIngestionAndReplication, .dataAccessManagement, .dataAccessPolicyPushdown, .dataAccessPolicyProxy]
        if refused.contains(use) {
            let error = #expect(throws: ConnectionValidationError.self) { try connection.checkUse(use) }
            #expect(error?.description.contains("does not support") == true)
        } else {
            try connection.checkUse(use)
        }
        #expect(Set(connection.permittedUses) == Set(ConnectionUse.allCases).subtracting(refused))
    }

    @Test("a connection without the vault may be used by every service", arguments: ConnectionUse.allCases)
    func plainConnection(_ use: ConnectionUse) throws {
        try Fixture().rules.create(Fixture.apiKey()).checkUse(use)
    }
}

@Suite("A Base URL that moves to another host does not keep stored credentials")
struct BaseURLHostMoveRulesTests {
    @Test("moving to another host without the credentials is refused, naming each one to give again; given again, the move passes and the change record says the stored values were dropped")
    func moveNeedsCredentials() throws {
        let fixture = try Fixture()
        let original = try fixture.rules.create(Fixture.oauth())
        let error = #expect(throws: ConnectionValidationError.self) {
            try fixture.rules.update(original, with: ConnectionDraft(baseURL: "https://evil.eu.qlikcloud.com"))
        }
        #expect(error?.problems.map(\.field) == [.clientID, .clientSecret])
        #expect(error?.problems.first?.message == "Base URL moves to another host (https://acme.eu.qlikcloud.com to https://evil.eu.qlikcloud.com): "
            + "give the Client ID again; stored credentials are not sent to a new host.")
        // One credential given again is not enough: the other stored value would still go to the new host.
        let partial = #expect(throws: ConnectionValidationError.self) {
            try fixture.rules.update(original, with: ConnectionDraft(baseURL: "https://evil.eu.qlikcloud.com", clientSecret: .value("s2")))
        }
        #expect(partial?.problems.map(\.field) == [.clientID])
        let moved = try fixture.rules.update(original, with: ConnectionDraft(baseURL: "https://evil.eu.qlikcloud.com", clientID: .value("i2"), clientSecret: .value("s2")))
        #expect(moved.authentication == .oauth2(baseURL: try TenantURL("https://evil.eu.qlikcloud.com"), clientID: .value("i2"), clientSecret: .value("s2")))
        let changes = moved.changes(from: original).filter { $0.field == .clientID || $0.field == .clientSecret }
        #expect(changes.count == 2 && changes.allSatisfy {
            $0.old == "sealed value" && $0.new == "new sealed value (stored value dropped: the Base URL moved to another host)"
        })
        #expect(!moved.changes(from: original).contains { $0.new?.contains("s2") == true || $0.new?.contains("i2") == true })
    }

    @Test("a Base URL that keeps its origin (another spelling, the default port written out) keeps the stored credentials")
    func sameOriginKeeps() throws {
        let fixture = try Fixture(hosts: ["tenant.test", "other.test"])
        let original = try fixture.rules.create(Fixture.apiKey())
        let respelled = try fixture.rules.update(original, with: ConnectionDraft(baseURL: "HTTPS://ACME.EU.qlikcloud.com/"))
        #expect(respelled.authentication == original.authentication)
        let local = try fixture.rules.create(ConnectionDraft(name: "Local", runtimeEnvironment: "Serverless", authenticationType: "api-key",
                                                             baseURL: "https://tenant.test:443", accessToken: .value("tok")))
        let defaultPort = try fixture.rules.update(local, with: ConnectionDraft(baseURL: "https://tenant.test"))
        #expect(defaultPort.authentication.credentials.map(\.credential) == [.value("tok")])
        for other in ["http://tenant.test:443", "https://tenant.test:8443", "https://other.test"] {
            #expect(throws: ConnectionValidationError.self, "\(other) is another origin") {
                try fixture.rules.update(local, with: ConnectionDraft(baseURL: other))
            }
        }
    }

    @Test("secret references and credentials kept on agents are not secrets held here, so a move of host keeps them")
    func referencesAndAgentsKept() throws {
        let vaulted = try Fixture(manager: try .aws(region: "eu-west-1", endpoint: nil))
        var draft = Fixture.apiKey(.reference("prod/qlik:token"))
        draft.useSecretVault = true
        let referenced = try vaulted.rules.create(draft)
        let movedReference = try vaulted.rules.update(referenced, with: ConnectionDraft(baseURL: "https://other.eu.qlikcloud.com"))
        #expect(movedReference.authentication.credentials.map(\.credential) == referenced.authentication.credentials.map(\.credential))

        let agentKept = try Fixture(storage: .localAgent)
        let onAgents = try agentKept.rules.create(Fixture.apiKey(nil))
        let movedOnAgents = try agentKept.rules.update(onAgents, with: ConnectionDraft(baseURL: "https://other.eu.qlikcloud.com"))
        #expect(movedOnAgents.authentication.credentials.map(\.credential) == [.onAgent])
    }
}
