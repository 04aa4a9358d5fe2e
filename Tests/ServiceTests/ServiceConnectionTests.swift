import Foundation
import Hummingbird
import HummingbirdTesting
import QlikCloudSandbox
import Testing
import TestRepositories
@testable import Service

@Suite("The service's connections against the sandbox tenant, and secrets kept out of every answer")
struct ServiceConnectionTests {
    @Test("Test Connection through the API passes for both authentication types, is kept, listed and counted; an edit without secrets keeps them", arguments: RepositoryBackend.allCases)
    func testConnection(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(port: 0))
        try await sandbox.withRunning { tenant in
            try await harness.withClient { api in
                let designer = harness.token("designer")
                let apiKey: [String: Any] = ["name": "Sandbox key", "runtimeEnvironment": "Serverless", "authenticationType": "api-key",
                                             "baseURL": tenant.baseURL, "accessToken": tenant.apiKey]
                let oauth: [String: Any] = ["name": "Sandbox OAuth", "runtimeEnvironment": "Serverless", "authenticationType": "oauth2",
                                            "baseURL": tenant.baseURL, "clientID": tenant.clientID, "clientSecret": tenant.clientSecret]
                for body in [apiKey, oauth] {
                    #expect(try await api.call(.post, "/api/v1/connections", token: designer, json: body).status == .created)
                    let path = "/api/v1/connections/\((body["name"] as? String ?? "").replacingOccurrences(of: " ", with: "%20"))"
                    let report = try await api.call(.post, path + "/test", token: designer)
                    #expect(report.status == .ok && report.object["succeeded"] as? Bool == true, "\(report.text)")
                    #expect((report.object["steps"] as? [[String: Any]])?.count ?? 0 >= 4)
                    let shown = try await api.call(.get, path, token: harness.token("viewer"))
                    #expect((shown.object["lastTest"] as? [String: Any])?["succeeded"] as? Bool == true)
                }
                // Only the description changes; the stored key stays and still works.
                let edited = try await api.call(.patch, "/api/v1/connections/Sandbox%20key", token: designer, json: ["description": "edited", "accessToken": ""])
                #expect(edited.object["description"] as? String == "edited")
                let accessToken = (edited.object["authentication"] as? [String: Any])?["accessToken"] as? [String: Any]
                #expect(accessToken?["source"] as? String == "repository" && accessToken?["value"] as? String == "********")
                #expect(try await api.call(.post, "/api/v1/connections/Sandbox%20key/test", token: designer).object["succeeded"] as? Bool == true)
                let list = try await api.call(.get, "/api/v1/connections", token: harness.token("viewer"))
                #expect((list.object["items"] as? [[String: Any]])?.allSatisfy { ($0["lastTest"] as? [String: Any])?["succeeded"] as? Bool == true } == true)
                let metrics = try await api.call(.get, "/metrics", token: nil)
                #expect(metrics.text.contains(#"qlik_connector_connection_tests_total{result="passed"} 3"#))
                // Each Test Connection ran as a task on the serverless environment, with its steps logged.
                let tasks = try await api.call(.get, "/api/v1/tasks", token: harness.token("viewer"))
                let items = tasks.object["items"] as? [[String: Any]] ?? []
                #expect(items.count == 3 && items.allSatisfy { $0["kind"] as? String == "test" && $0["state"] as? String == "succeeded"
                    && $0["runtimeEnvironment"] as? String == "Serverless" && $0["attempts"] as? Int == 1 }, "\(tasks.text)")
                let id = try #require(items.first?["id"] as? String)
                #expect(try await api.call(.get, "/api/v1/tasks/\(id)", token: harness.token("viewer")).object["connection"] as? String == "Sandbox key")
                let logs = try await api.call(.get, "/api/v1/tasks/\(id)/logs", token: harness.token("viewer")).json as? [[String: Any]] ?? []
                #expect(logs.first?["message"] as? String == "Testing connection 'Sandbox key' against \(tenant.baseURL)" && logs.count >= 5, "\(logs)")
                #expect(try await api.call(.get, "/api/v1/tasks/\(id)", token: harness.token("otherAdmin")).status == .notFound)
            }
        }
    }

    @Test("Test Connection on a Secure Agent group no agent serves is answered 202 with the queued task to follow", arguments: RepositoryBackend.allCases)
    func queuedForAgents(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend, taskWait: .milliseconds(300))
        try await harness.withClient { api in
            let admin = harness.token("admin")
            #expect(try await api.call(.post, "/api/v1/runtime-environments", token: admin, json: ["name": "EU Agents"]).status == .created)
            let body: [String: Any] = ["name": "On agents", "runtimeEnvironment": "EU Agents", "authenticationType": "api-key",
                                       "baseURL": "https://acme.eu.qlikcloud.com", "accessToken": "a-token"]
            #expect(try await api.call(.post, "/api/v1/connections", token: admin, json: body).status == .created)
            let answer = try await api.call(.post, "/api/v1/connections/On%20agents/test", token: admin)
            #expect(answer.status == .accepted && answer.object["state"] as? String == "queued" && answer.object["runtimeEnvironment"] as? String == "EU Agents")
            let location = try #require(answer.headers[.location])
            #expect(try await api.call(.get, location, token: harness.token("viewer")).object["state"] as? String == "queued", "no serverless worker takes it")
        }
    }

    @Test("a planted secret never appears in any HTTP answer, the audit trail, a log line, a metric or the database file", arguments: RepositoryBackend.allCases)
    func plantedSecret(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        let planted = "planted-\(UUID().uuidString)-secret"
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(port: 0))
        let answers = try await sandbox.withRunning { tenant in
            try await harness.withClient { api in
                let admin = harness.token("admin")
                var seen: [String] = []
                func keep(_ answer: APIClient.Answer) -> APIClient.Answer {
                    seen.append(answer.text + "\(answer.headers)")
                    return answer
                }
                let key: [String: Any] = ["name": "Planted key", "runtimeEnvironment": "Serverless", "authenticationType": "api-key",
                                          "baseURL": tenant.baseURL, "accessToken": planted]
                let oauth: [String: Any] = ["name": "Planted OAuth", "runtimeEnvironment": "Serverless", "authenticationType": "oauth2",
                                            "baseURL": tenant.baseURL, "clientID": "client", "clientSecret": planted]
                _ = keep(try await api.call(.post, "/api/v1/connections", token: admin, json: key, headers: [.idempotencyKey: "k1"]))
                _ = keep(try await api.call(.post, "/api/v1/connections", token: admin, json: key, headers: [.idempotencyKey: "k1"]))
                _ = keep(try await api.call(.post, "/api/v1/connections", token: admin, json: oauth))
                // A failing test: the tenant refuses the planted key; the report must not repeat it.
                let failed = keep(try await api.call(.post, "/api/v1/connections/Planted%20key/test", token: admin))
                #expect(failed.object["succeeded"] as? Bool == false)
                _ = keep(try await api.call(.post, "/api/v1/connections/Planted%20OAuth/test", token: admin))
                _ = keep(try await api.call(.patch, "/api/v1/connections/Planted%20key", token: admin, json: ["description": "d", "accessToken": planted + "-2"]))
                _ = keep(try await api.call(.patch, "/api/v1/connections/Planted%20key", token: admin, json: ["baseURL": "http://bad", "accessToken": planted]))
                _ = keep(try await api.call(.post, "/api/v1/connections", token: admin, json: ["name": "Bad", "accessToken": planted, "baseURL": "nope"]))
                _ = keep(try await api.call(.get, "/api/v1/connections/Planted%20key", token: admin))
                _ = keep(try await api.call(.get, "/api/v1/connections", token: admin))
                _ = keep(try await api.call(.get, "/api/v1/audit-events?limit=1000", token: admin))
                _ = keep(try await api.call(.get, "/metrics", token: nil))
                _ = keep(try await api.call(.delete, "/api/v1/connections/Planted%20OAuth", token: admin))
                _ = keep(try await api.call(.post, "/api/v1/users", token: admin, json: ["email": "p@acme.example", "role": "viewer", "password": planted]))
                _ = keep(try await api.call(.post, "/api/v1/users", token: admin, json: ["email": "q@acme.example", "role": "viewer", "password": "x" + planted.prefix(3)]))
                return seen
            }
        }
        #expect(answers.count == 15)
        for answer in answers { #expect(!answer.contains(planted), "an answer shows the secret: \(answer.prefix(300))") }
        #expect(!harness.logs.text.contains(planted))
        let stored = try await harness.store.storedBytes()
        #expect(stored.range(of: Data(planted.utf8)) == nil, "the \(backend) database holds the secret in plain text")
    }
}
