import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import NIOCore
import Runtime
import Testing
import TestRepositories
@testable import Service

/// The agent routes as the server generated from openapi.yaml serves them: answered as every route of the API answers.
@Suite("The agent routes served by the generated server answer as the rest of the API")
struct AgentRouteServerTests {
    @Test("a heartbeat is answered application/json with the API's JSON: sorted keys, nothing else")
    func heartbeatAnswerIsTheAPIsJSON() async throws {
        let harness = try await ServiceHarness.make()
        try await harness.withClient { api in
            let agent = try await ServiceAgentLeaseTests.agent("eu-1", in: "EU Agents", harness, api)
            let beat = try await api.call(.post, "/api/v1/agent/heartbeat", token: agent, json: ["host": "h", "version": "1"])
            #expect(beat.status == .ok && beat.headers[.contentType] == "application/json", "\(beat.headers)")
            #expect(beat.text == #"{"agent":"eu-1","runtimeEnvironment":"EU Agents"}"#)
        }
    }

    @Test("a claim answer (a value, a reference with the organization's Vault) is, byte for byte, the JSON the API writes for the assignment",
          arguments: ["X", "V"])
    func claimAnswerIsTheAPIsJSON(_ connection: String) async throws {
        let harness = try await ServiceHarness.make()
        try await harness.withClient { api in
            let admin = harness.token("admin")
            let agent = try await ServiceAgentLeaseTests.agent("eu-1", in: "EU Agents", harness, api)
            #expect(try await api.call(.patch, "/api/v1/organization", token: admin, json: [
                "secretsManager": ["kind": "vault", "address": "http://127.0.0.1:8200"]]).status == .ok)
            let definition: [String: Any] = connection == "X"
                ? ["name": "X", "baseURL": "https://acme.eu.qlikcloud.com", "accessToken": "planted/token+value"]
                : ["name": "V", "baseURL": "https://acme.eu.qlikcloud.com", "useSecretVault": true, "accessTokenReference": "secret/data/qlik/prod:token"]
            let created = try await api.call(.post, "/api/v1/connections", token: admin,
                                             json: definition.merging(["runtimeEnvironment": "EU Agents", "authenticationType": "api-key"]) { one, _ in one })
            #expect(created.status == .created, "\(created.text)")
            let queued = try await api.call(.post, "/api/v1/connections/\(connection)/tasks", token: admin, json: ["kind": "discover", "parameters": [String: Any]()])
            #expect(queued.status == .accepted, "\(queued.text)")
            let claimed = try await ServiceAgentLeaseTests.claim(agent, leaseSeconds: 20, api)
            #expect(claimed.status == .ok && claimed.headers[.contentType] == "application/json", "\(claimed.text)")
            let assignment = try JSONDecoder().decode(AgentAssignment.self, from: Data(claimed.text.utf8))
            #expect(claimed.text == String(decoding: try ServiceJSON.encoder.encode(assignment), as: UTF8.self))
        }
    }

    @Test("a body is read as JSON whatever its Content-Type, and answered whatever Accept asks")
    func bodyIsJSONWhateverItsType() async throws {
        let harness = try await ServiceHarness.make()
        try await harness.withClient { api in
            let agent = try await ServiceAgentLeaseTests.agent("eu-1", in: "EU Agents", harness, api)
            let headers: HTTPFields = [.authorization: "Bearer \(agent)", .contentType: "text/plain", .accept: "text/html"]
            let status = try await api.client.execute(uri: "/api/v1/agent/heartbeat", method: .post, headers: headers,
                                                      body: ByteBuffer(string: #"{"host":"h","version":"1"}"#)) { $0.status }
            #expect(status == .ok)
        }
    }

    @Test("a body that is not JSON is 400 malformed_body; one that lacks a member is 422 naming it")
    func malformedBodyIsRefused() async throws {
        let harness = try await ServiceHarness.make()
        try await harness.withClient { api in
            let agent = try await ServiceAgentLeaseTests.agent("eu-1", in: "EU Agents", harness, api)
            let garbled = try await api.call(.post, "/api/v1/agent/heartbeat", token: agent, raw: "not json")
            #expect(garbled.status == .badRequest && garbled.errorCode == "malformed_body", "\(garbled.text)")
            let partial = try await api.call(.post, "/api/v1/agent/heartbeat", token: agent, json: ["version": "1"])
            #expect(partial.status == .unprocessableContent && partial.errorField == "host", "\(partial.text)")
        }
    }

    @Test("a body over 1 MiB is refused 413, as on every route")
    func largeBodyIsRefused() async throws {
        let harness = try await ServiceHarness.make()
        try await harness.withClient { api in
            let agent = try await ServiceAgentLeaseTests.agent("eu-1", in: "EU Agents", harness, api)
            let large = try await api.call(.post, "/api/v1/agent/heartbeat", token: agent, raw: String(repeating: " ", count: (1 << 20) + 1))
            #expect(large.status == .contentTooLarge, "\(large.status)")
        }
    }

    @Test("another method on an agent route is 405 with Allow: POST, and without a token still 401 on POST")
    func otherMethodIs405() async throws {
        let harness = try await ServiceHarness.make()
        try await harness.withClient { api in
            let other = try await api.call(.get, "/api/v1/agent/claim", token: nil)
            #expect(other.status == .methodNotAllowed && other.headers[.allow] == "POST", "\(other.status) \(other.headers)")
            #expect(try await api.call(.post, "/api/v1/agent/claim", token: nil, json: ["sendsLeaseToken": true]).status == .unauthorized)
        }
    }
}
