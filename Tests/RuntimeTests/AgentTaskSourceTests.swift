import AsyncHTTPClient
import ConnectorAPI
import Foundation
import HTTPTypes
import OpenAPIRuntime
import QlikConnections
@testable import Runtime
import Secrets
import Testing

/// The Secure Agent's calls to the service, through the client generated from openapi.yaml, against a service that answers
/// what each test scripts: what the agent sends, and how it reads each answer.
@Suite("A Secure Agent calls the service's agent routes through the generated client", .timeLimit(.minutes(10)))
struct AgentTaskSourceTests {
    static let token = "qca_test_agent_token_never_printed"
    static let claim = TaskLease(task: TaskID(), token: "lease-1")

    /// Runs `body` with a task source whose service answers `status` and `body` to every call.
    func withSource(answering status: Int, _ answer: String = "", _ body: (AgentTaskSource, ScriptedService) async throws -> Void) async throws {
        let service = ScriptedService(status: status, body: answer)
        let http = SecretReferenceResolver.makeHTTPClient()
        let configuration = SecureAgent.Configuration(service: URL(string: "http://127.0.0.1:1/")!, token: Self.token,
                                                      store: AgentCredentialStore(folder: NSTemporaryDirectory()))
        let client = AgentServiceClient.over(service, service: configuration.service, token: Self.token)
        let source = AgentTaskSource(service: client, signingOff: client, configuration: configuration, resolver: SecretReferenceResolver(client: http))
        do {
            try await body(source, service)
            try await http.shutdown()
        } catch {
            try await http.shutdown()
            throw error
        }
    }

    static func refusal(_ code: String) -> String { #"{"error":{"code":"\#(code)","message":"said by the service"}}"# }

    @Test("a renewal carries the agent's token and its claim's Lease-Token to the task's renew path")
    func renewalNamesTheClaim() async throws {
        try await withSource(answering: 204) { source, service in
            #expect(try await source.renew(Self.claim))
            let sent = try #require(await service.requests.first)
            #expect(sent.path == "/api/v1/agent/tasks/\(Self.claim.task)/renew")
            #expect(sent.headerFields[.authorization] == "Bearer \(Self.token)")
            #expect(sent.headerFields[HTTPField.Name("Lease-Token")!] == "lease-1")
        }
    }

    @Test("a renewal refused 409 lease_lost is a lost lease, with the service's status, code and message")
    func refusedRenewalIsLeaseLost() async throws {
        try await withSource(answering: 409, Self.refusal("lease_lost")) { source, _ in
            let lost = await #expect(throws: TaskLeaseLost.self) { try await source.renew(Self.claim) }
            #expect(lost?.description == "The service refused the task's renewal (409 lease_lost: said by the service)")
        }
    }

    @Test("an outcome refused 422 result_malformed is an outcome the service recorded as failed")
    func refusedOutcomeIsRecordedFailed() async throws {
        try await withSource(answering: 422, Self.refusal("result_malformed")) { source, _ in
            let refused = await #expect(throws: TaskOutcomeRefused.self) { try await source.finish(Self.claim, TaskOutcome(succeeded: true)) }
            #expect(refused?.description.contains("422 result_malformed") == true)
        }
    }

    @Test("a call without a Lease-Token the service answers 428 agent_upgrade_required is said with its path, never with the token")
    func upgradeRequiredIsSaid() async throws {
        try await withSource(answering: 428, Self.refusal("agent_upgrade_required")) { source, _ in
            let error = await #expect(throws: ServiceRefusal.Refused.self) { try await source.renew(Self.claim) }
            #expect(error?.description == "The service answered 428 to tasks/\(Self.claim.task)/renew: agent_upgrade_required: said by the service")
            #expect(error?.description.contains(Self.token) == false)
        }
    }

    @Test("a claim answered 204 is no task")
    func noTaskWaits() async throws {
        try await withSource(answering: 204) { source, _ in
            let claimed = try await source.claim()
            #expect(claimed == nil)
        }
    }

    @Test("a claim answered 200 is the task with its claim's lease token; the request says the agent sends it back")
    func claimedTaskCarriesItsLease() async throws {
        let task = TaskID()
        let answer = #"{"taskID":"\#(task)","organizationID":"\#(UUID())","runtimeEnvironmentID":"\#(UUID())","kind":"noop","payload":"{}","#
            + #""attempts":1,"maxAttempts":3,"requestedBy":"cli:test","leaseSeconds":20,"leaseToken":"lease-7"}"#
        try await withSource(answering: 200, answer) { source, service in
            let claimed = try #require(try await source.claim())
            #expect(claimed.lease == TaskLease(task: task, token: "lease-7"))
            #expect(claimed.record.kind == .noop && claimed.record.attempts == 1 && claimed.connection == nil)
            let sent = try #require(await service.bodies.first)
            #expect(sent.contains(#""sendsLeaseToken":true"#), "\(sent)")
        }
    }

    @Test("a claim answer from a newer service, with members this agent does not know (on the task and on its connection), is still run")
    func newerServiceMembersIgnored() async throws {
        let task = TaskID()
        let answer = #"{"taskID":"\#(task)","organizationID":"\#(UUID())","runtimeEnvironmentID":"\#(UUID())","kind":"noop","payload":"{}","#
            + #""attempts":1,"maxAttempts":3,"requestedBy":"cli:test","leaseSeconds":20,"leaseToken":"lease-8","priority":"high","#
            + #""connection":{"authenticationType":"api-key","baseURL":"https://acme.eu.qlikcloud.com","values":{},"references":{},"local":[],"#
            + #""allowedHosts":[],"tier":"gold"}}"#
        try await withSource(answering: 200, answer) { source, _ in
            let claimed = try #require(try await source.claim())
            #expect(claimed.lease == TaskLease(task: task, token: "lease-8") && claimed.record.kind == .noop)
        }
    }
}

/// A service that answers every call with one status and body, and keeps what it was sent.
actor ScriptedService: ClientTransport {
    let status: Int
    let body: String
    private(set) var requests: [HTTPRequest] = []
    private(set) var bodies: [String] = []

    init(status: Int, body: String) {
        self.status = status
        self.body = body
    }

    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        requests.append(request)
        if let body { bodies.append(try await String(collecting: body, upTo: 1 << 20)) }
        let fields: HTTPFields = self.body.isEmpty ? [:] : [.contentType: "application/json"]
        return (HTTPResponse(status: .init(code: status), headerFields: fields), self.body.isEmpty ? nil : HTTPBody(self.body))
    }
}
