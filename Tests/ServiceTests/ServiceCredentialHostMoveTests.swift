import Foundation
import Hummingbird
import QlikCloudSandbox
import Testing
import TestRepositories
@testable import Service

@Suite("A Base URL moved to another host through the API does not take the stored credentials along")
struct ServiceCredentialHostMoveTests {
    @Test("PATCH of the Base URL to another host without the credentials answers 422 naming each to give again, and Test Connection sends the stored secrets to no other host; given again, the move succeeds and the audit trail says the stored values were dropped", arguments: RepositoryBackend.allCases)
    func moveNeedsCredentialsAgain(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(port: 0))
        try await sandbox.withRunning { tenant in
            try await RecordingListener.withRunning { listener, otherHost in
                try await harness.withClient { api in
                    let designer = harness.token("designer")
                    let connections: [(path: String, body: [String: Any], fields: [String], secrets: [String])] = [
                        ("/api/v1/connections/Key", ["name": "Key", "runtimeEnvironment": "Serverless", "authenticationType": "api-key",
                                                     "baseURL": tenant.baseURL, "accessToken": tenant.apiKey], ["accessToken"], [tenant.apiKey]),
                        ("/api/v1/connections/OAuth", ["name": "OAuth", "runtimeEnvironment": "Serverless", "authenticationType": "oauth2",
                                                       "baseURL": tenant.baseURL, "clientID": tenant.clientID, "clientSecret": tenant.clientSecret],
                         ["clientID", "clientSecret"], [tenant.clientID, tenant.clientSecret]),
                    ]
                    for connection in connections {
                        #expect(try await api.call(.post, "/api/v1/connections", token: designer, json: connection.body).status == .created)
                        // The attack: point the stored credentials at a host of the designer's choosing, then test.
                        let refused = try await api.call(.patch, connection.path, token: designer, json: ["baseURL": otherHost])
                        #expect(refused.status == .unprocessableContent && refused.errorCode == "validation_failed", "\(refused.text)")
                        let problems = (refused.object["error"] as? [String: Any])?["problems"] as? [[String: Any]]
                        let named = problems?.compactMap { $0["field"] as? String } ?? [refused.errorField].compactMap { $0 }
                        #expect(named == connection.fields, "\(refused.text)")
                        #expect(refused.text.contains("Base URL moves to another host") && refused.text.contains("stored credentials are not sent to a new host"))
                        let report = try await api.call(.post, connection.path + "/test", token: designer)
                        #expect(report.object["succeeded"] as? Bool == true, "the connection still reaches its own tenant: \(report.text)")
                        #expect(try await api.call(.get, connection.path, token: designer).text.contains(tenant.baseURL))
                    }
                    let heardBeforeMove = await listener.everything()
                    #expect(heardBeforeMove.isEmpty, "nothing reached the other host: \(heardBeforeMove)")

                    // The same path or a spelling of the same origin keeps the stored credentials.
                    let sameOrigin = try await api.call(.patch, "/api/v1/connections/Key", token: designer, json: ["baseURL": tenant.baseURL.uppercased() + "/"])
                    #expect(sameOrigin.status == .ok, "\(sameOrigin.text)")
                    #expect(try await api.call(.post, "/api/v1/connections/Key/test", token: designer).object["succeeded"] as? Bool == true)

                    // Given again in the same request, the move is accepted and only the new values go to the new host.
                    let moved = try await api.call(.patch, "/api/v1/connections/Key", token: designer, json: ["baseURL": otherHost, "accessToken": "token-for-the-other-host"])
                    #expect(moved.status == .ok, "\(moved.text)")
                    let movedOAuth = try await api.call(.patch, "/api/v1/connections/OAuth", token: designer,
                                                        json: ["baseURL": otherHost, "clientID": "other-client", "clientSecret": "other-secret"])
                    #expect(movedOAuth.status == .ok, "\(movedOAuth.text)")
                    for path in ["/api/v1/connections/Key/test", "/api/v1/connections/OAuth/test"] {
                        #expect(try await api.call(.post, path, token: designer).object["succeeded"] as? Bool == false)
                    }
                    let heard = await listener.everything()
                    #expect(await listener.heard.contains { $0.authorization == "Bearer token-for-the-other-host" }, "\(heard)")
                    #expect(heard.contains("other-secret") || heard.contains(Data("other-client:other-secret".utf8).base64EncodedString()), "\(heard)")
                    for secret in connections.flatMap(\.secrets) {
                        #expect(!heard.contains(secret) && !heard.contains(Data(secret.utf8).base64EncodedString()), "a stored secret reached the other host")
                    }
                }
            }
        }
        let events = try await harness.repository.auditEvents(of: harness.acme.id, limit: 100)
        let dropped = events.flatMap(\.changes).filter { $0.new?.contains("stored value dropped: the Base URL moved to another host") == true }
        #expect(Set(dropped.map(\.field)) == ["accessToken", "clientID", "clientSecret"], "\(events.flatMap(\.changes))")
    }

    @Test("the console's edit form that moves the Base URL to another host without the credentials answers 422 naming each to give again, and Test Connection sends nothing to the other host")
    func consoleMoveNeedsCredentials() async throws {
        let harness = try await ConsoleTests.withPasswords()
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(port: 0))
        try await sandbox.withRunning { tenant in
            try await RecordingListener.withRunning { listener, otherHost in
                try await harness.withClient { api in
                    let browser = try await ConsoleTests.signedIn(api, harness)
                    let csrf = try #require(browser.csrf(in: try await browser.get("/console/connections/new").text))
                    let form = ["csrf": csrf, "name": "Sandbox", "runtimeEnvironment": "Serverless", "authenticationType": "oauth2"]
                    try await browser.post("/console/connections", form.merging(["baseURL": tenant.baseURL, "clientID": tenant.clientID,
                                                                                 "clientSecret": tenant.clientSecret]) { $1 })
                    let refused = try await browser.post("/console/connections/Sandbox/edit",
                                                         form.merging(["baseURL": otherHost, "clientID": "", "clientSecret": ""]) { $1 })
                    #expect(refused.status == .unprocessableContent)
                    for field in ["Client ID", "Client Secret"] {
                        #expect(refused.text.contains("give the \(field) again; stored credentials are not sent to a new host."), "\(refused.text.suffix(2000))")
                    }
                    let tested = try await browser.post("/console/connections/Sandbox/test", ["csrf": csrf])
                    #expect(tested.text.contains("badge ok\">Passed"), "the connection still reaches its own tenant")
                    let heard = await listener.everything()
                    #expect(heard.isEmpty, "nothing reached the other host: \(heard)")
                    let moved = try await browser.post("/console/connections/Sandbox/edit",
                                                       form.merging(["baseURL": otherHost, "clientID": "other-client", "clientSecret": "other-secret"]) { $1 })
                    #expect(moved.status == .seeOther, "\(moved.text.suffix(2000))")
                }
            }
        }
    }
}
