import Foundation
import HTTPTypes
import QlikConnections
import Repository
import Testing
@testable import Service

/// One connection read, changed and deleted, and the organization read, as the server generated from openapi.yaml serves them.
@Suite("Connections and the organization through the generated server")
struct ConnectionRouteTests {
    @Test("a connection is read by its %-encoded name with its access token masked, changed, deleted, and then 404")
    func readChangeDelete() async throws {
        let harness = try await ServiceHarness.make()
        try await harness.withClient { api in
            let designer = harness.token("designer")
            #expect(try await api.call(.post, "/api/v1/connections", token: designer, json: ServiceAPITests.apiKeyConnection).status == .created)
            let read = try await api.call(.get, "/api/v1/connections/Sales%20EU", token: harness.token("viewer"))
            let token = (read.object["authentication"] as? [String: Any])?["accessToken"] as? [String: Any]
            #expect(read.status == .ok && token?["source"] as? String == "repository" && token?["value"] as? String == "********", "\(read.text)")
            #expect(!read.text.contains("test-token-value"))
            let changed = try await api.call(.patch, "/api/v1/connections/Sales%20EU", token: designer, json: ["description": "EU tenant, moved"])
            #expect(changed.status == .ok && changed.object["description"] as? String == "EU tenant, moved", "\(changed.text)")
            let deleted = try await api.call(.delete, "/api/v1/connections/Sales%20EU", token: designer)
            #expect(deleted.status == .ok && deleted.object["name"] as? String == "Sales EU", "\(deleted.text)")
            #expect(try await api.call(.get, "/api/v1/connections/Sales%20EU", token: designer).status == .notFound)
        }
    }

    @Test("an authentication type the document does not list is 422, naming the field and the value")
    func unknownAuthenticationType() async throws {
        let harness = try await ServiceHarness.make()
        try await harness.withClient { api in
            let designer = harness.token("designer")
            #expect(try await api.call(.post, "/api/v1/connections", token: designer, json: ServiceAPITests.apiKeyConnection).status == .created)
            let refused = try await api.call(.patch, "/api/v1/connections/Sales%20EU", token: designer, json: ["authenticationType": "basic"])
            #expect(refused.status == .unprocessableContent && refused.errorField == "authenticationType" && refused.text.contains("'basic'"), "\(refused.text)")
        }
    }

    @Test("an organization without a secrets manager is shown without the member, not with null")
    func organizationWithoutManager() async throws {
        let harness = try await ServiceHarness.make()
        try await harness.withClient { api in
            let shown = try await api.call(.get, "/api/v1/organization", token: harness.token("viewer"))
            #expect(shown.status == .ok && shown.object["credentialStorage"] as? String == "repository" && !shown.text.contains("secretsManager"),
                    "\(shown.text)")
        }
    }

    @Test("a secrets manager for an organization whose credentials stay on local agents is 422 naming the credential storage")
    func managerRefusedForLocalAgent() async throws {
        let harness = try await ServiceHarness.make()
        var acme = try await harness.repository.organization(named: "Acme")
        acme.credentialStorage = .localAgent
        try await harness.repository.updateOrganization(acme, managerCredentials: nil, by: AuditActor("test"))
        try await harness.withClient { api in
            let refused = try await api.call(.patch, "/api/v1/organization", token: harness.token("admin"),
                                              json: ["secretsManager": ["kind": "aws", "region": "eu-west-1"]])
            #expect(refused.status == .unprocessableContent && refused.errorField == "secretsManager" && refused.text.contains("local-agent"), "\(refused.text)")
            #expect(try await api.call(.get, "/api/v1/organization", token: harness.token("viewer")).text.contains("secretsManager") == false)
        }
    }
}
