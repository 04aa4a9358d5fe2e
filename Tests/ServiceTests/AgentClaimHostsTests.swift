import Foundation
import QlikConnections
import Repository
import Testing
import TestRepositories
@testable import Service

@Suite("A claimed task carries only the allow-list entries that admit its own hosts")
struct AgentClaimHostsTests {
    @Test("an agent's claim holds the entries admitting its connection's Base URL, and its manager those admitting the manager's address; none listed for another organization's hosts",
          arguments: RepositoryBackend.allCases)
    func onlyOwnHosts(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        let operatorActor = AuditActor("operator")
        // The harness lists 127.0.0.1:*; the operator adds this organization's hosts and another organization's.
        for entry in ["tenant-x.test.internal:8443", "other-org.test.internal:*", "*.vault.internal:8200", "tenant-x.test.internal:9000"] {
            _ = try await harness.repository.allowTenantHost(try HostPattern(entry), by: operatorActor)
        }
        try await harness.withClient { api in
            let admin = harness.token("admin")
            #expect(try await api.call(.post, "/api/v1/runtime-environments", token: admin, json: ["name": "EU Agents"]).status == .created)
            let created = try await api.call(.post, "/api/v1/runtime-environments/EU%20Agents/agents", token: admin, json: ["name": "eu-1"])
            let agent = try #require(created.object["token"] as? String)
            let vault = try await api.call(.patch, "/api/v1/organization", token: admin, json: [
                "secretsManager": ["kind": "vault", "address": "http://secrets.vault.internal:8200"]])
            #expect(vault.status == .ok, "\(vault.text)")
            for connection: [String: Any] in [
                ["name": "X", "baseURL": "https://tenant-x.test.internal:8443", "accessToken": "planted-token"],
                ["name": "V", "baseURL": "https://acme.eu.qlikcloud.com", "useSecretVault": true, "accessTokenReference": "secret/data/qlik/prod:token"],
            ] {
                let answer = try await api.call(.post, "/api/v1/connections", token: admin,
                                                json: connection.merging(["runtimeEnvironment": "EU Agents", "authenticationType": "api-key"]) { one, _ in one })
                #expect(answer.status == .created, "\(answer.text)")
            }

            /// Queues a discover task on `name` and answers the agent's claim of it.
            func claim(_ name: String) async throws -> (connection: [String: Any], text: String) {
                let queued = try await api.call(.post, "/api/v1/connections/\(name)/tasks", token: admin, json: ["kind": "discover", "parameters": [String: Any]()])
                #expect(queued.status == .accepted, "\(queued.text)")
                let claimed = try await api.call(.post, "/api/v1/agent/claim", token: agent, json: ["sendsLeaseToken": true])
                #expect(claimed.status == .ok && claimed.object["connectionName"] as? String == name, "\(claimed.text)")
                let id = try #require(claimed.object["taskID"] as? String)
                let finished = try await api.call(.post, "/api/v1/agent/tasks/\(id)/finish", token: agent, json: ["succeeded": false, "error": "Not run: the test reads the claim only."],
                                                  headers: ServiceAgentLeaseTests.holding(claimed))
                #expect(finished.status == .noContent, "\(finished.text)")
                return (try #require(claimed.object["connection"] as? [String: Any]), claimed.text)
            }

            let tenant = try await claim("X")
            #expect(tenant.connection["allowedHosts"] as? [String] == ["tenant-x.test.internal:8443"], "\(tenant.text)")
            #expect(tenant.connection["secretsManager"] == nil)
            let vaulted = try await claim("V")
            #expect(vaulted.connection["allowedHosts"] as? [String] == [], "a Qlik Cloud tenant needs no entry: \(vaulted.text)")
            let manager = try #require(vaulted.connection["secretsManager"] as? [String: Any])
            #expect(manager["allowedHosts"] as? [String] == ["*.vault.internal:8200"], "\(vaulted.text)")
            for text in [tenant.text, vaulted.text] {
                for unrelated in ["other-org", "127.0.0.1", "tenant-x.test.internal:9000"] {
                    #expect(!text.contains(unrelated), "the claim names \(unrelated): \(text)")
                }
            }
        }
    }
}
