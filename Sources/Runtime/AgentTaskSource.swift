import AsyncHTTPClient
import ConnectorAPI
import Foundation
import OpenAPIRuntime
import QlikConnections
import Secrets

/// The service's agent routes as a task source, called through the client generated from openapi.yaml. Log lines wait
/// here and travel with the next renewal or the outcome: a short task costs the service two calls (claim, finish), not
/// one more per line. Each call on a task carries its claim's lease token (header `Lease-Token`), so the service tells
/// this agent's claims of one task apart.
struct AgentTaskSource: TaskSource {
    let service: ConnectorAPI.Client
    /// The same routes for the sign-off, which is sent after the agent was cancelled.
    let signingOff: ConnectorAPI.Client
    let configuration: SecureAgent.Configuration
    var lease: TimeInterval { configuration.lease }
    let resolver: SecretReferenceResolver
    let pending = PendingLogs()

    init(client: HTTPClient, configuration: SecureAgent.Configuration, resolver: SecretReferenceResolver) {
        self.init(service: AgentServiceClient.make(client, service: configuration.service, token: configuration.token),
                  signingOff: AgentServiceClient.signingOff(client, service: configuration.service, token: configuration.token),
                  configuration: configuration, resolver: resolver)
    }

    init(service: ConnectorAPI.Client, signingOff: ConnectorAPI.Client, configuration: SecureAgent.Configuration, resolver: SecretReferenceResolver) {
        self.service = service
        self.signingOff = signingOff
        self.configuration = configuration
        self.resolver = resolver
    }

    /// Kept per claim, not per task: two workers of this agent may hold claims of one task one after the other, and the lines
    /// of the one whose lease ran out must not travel with the other's.
    actor PendingLogs {
        private var lines: [TaskLease: [TaskLogLine]] = [:]

        /// Adds lines; answers them all once enough wait to be worth a call of their own.
        func add(_ more: [TaskLogLine], to lease: TaskLease) -> [TaskLogLine]? {
            lines[lease, default: []] += more
            return (lines[lease]?.count ?? 0) >= 100 ? take(lease) : nil
        }

        func take(_ lease: TaskLease) -> [TaskLogLine] {
            lines.removeValue(forKey: lease) ?? []
        }
    }

    /// The agent's name and group as the service knows them.
    @discardableResult
    func heartbeat(version: String) async throws -> (agent: String, group: String) {
        let beat = Components.Schemas.AgentHeartbeat(host: ProcessInfo.processInfo.hostName, version: version, leaseSeconds: configuration.heartbeatLease)
        let refusal: ServiceRefusal
        switch try await Self.call({ try await service.agentHeartbeat(body: .json(beat)) }) {
        case .ok(let answer):
            let known = try answer.body.json
            return (known.agent ?? "", known.runtimeEnvironment ?? "")
        case .badRequest(let error): refusal = ServiceRefusal(400, error)
        case .unauthorized(let error): refusal = ServiceRefusal(401, error)
        case .notFound(let error): refusal = ServiceRefusal(404, error)
        case .conflict(let error): refusal = ServiceRefusal(409, error)
        case .unprocessableContent(let error): refusal = ServiceRefusal(422, error)
        case .undocumented(let status, let payload): refusal = await ServiceRefusal(status, payload)
        }
        throw refusal.unexpected(to: "heartbeat")
    }

    /// Tells the service the agent stops.
    func signOff() async throws {
        let refusal: ServiceRefusal
        switch try await Self.call({ try await signingOff.agentStop() }) {
        case .noContent: return
        case .unauthorized(let error): refusal = ServiceRefusal(401, error)
        case .undocumented(let status, let payload): refusal = await ServiceRefusal(status, payload)
        }
        throw refusal.unexpected(to: "stop")
    }

    func claim() async throws -> ClaimedTask? {
        // Says that it sends each claim's lease token back: the service hands no task to an agent that does not.
        let request = Components.Schemas.AgentClaimRequest(leaseSeconds: lease, sendsLeaseToken: true)
        let refusal: ServiceRefusal
        switch try await Self.call({ try await service.agentClaim(body: .json(request)) }) {
        case .ok(let answer): return try await AgentAssignment(answer.body.json).claimed(resolver: resolver, store: configuration.store)
        case .noContent: return nil
        case .badRequest(let error): refusal = ServiceRefusal(400, error)
        case .unauthorized(let error): refusal = ServiceRefusal(401, error)
        case .notFound(let error): refusal = ServiceRefusal(404, error)
        case .conflict(let error): refusal = ServiceRefusal(409, error)
        case .unprocessableContent(let error): refusal = ServiceRefusal(422, error)
        case .undocumented(let status, let payload): refusal = await ServiceRefusal(status, payload)
        }
        throw refusal.unexpected(to: "claim")
    }

    func renew(_ claim: TaskLease) async throws -> Bool {
        try await send(await pending.take(claim), of: claim)
        let refusal: ServiceRefusal
        switch try await Self.call({
            try await service.agentRenewLease(path: .init(id: "\(claim.task)"), headers: .init(leaseToken: claim.token), body: .json(.init(leaseSeconds: lease)))
        }) {
        case .noContent: return true
        case .badRequest(let error): refusal = ServiceRefusal(400, error)
        case .unauthorized(let error): refusal = ServiceRefusal(401, error)
        case .notFound(let error): refusal = ServiceRefusal(404, error)
        case .conflict(let error): refusal = ServiceRefusal(409, error)
        case .unprocessableContent(let error): refusal = ServiceRefusal(422, error)
        case .preconditionRequired(let error): refusal = ServiceRefusal(428, error)
        case .undocumented(let status, let payload): refusal = await ServiceRefusal(status, payload)
        }
        // 404 (the task is not this group's) and 409 (lease lost, task finished): this claim no longer holds the task.
        if [404, 409].contains(refusal.status) { throw TaskLeaseLost(refusal.words(of: "renewal")) }
        throw refusal.unexpected(to: "tasks/\(claim.task)/renew")
    }

    func finish(_ claim: TaskLease, _ outcome: TaskOutcome) async throws {
        let reported = Components.Schemas.AgentTaskOutcome(outcome, logs: await pending.take(claim))
        let refusal: ServiceRefusal
        switch try await Self.call({
            try await service.agentFinishTask(path: .init(id: "\(claim.task)"), headers: .init(leaseToken: claim.token), body: .json(reported))
        }) {
        case .noContent: return
        case .badRequest(let error): refusal = ServiceRefusal(400, error)
        case .unauthorized(let error): refusal = ServiceRefusal(401, error)
        case .notFound(let error): refusal = ServiceRefusal(404, error)
        case .conflict(let error): refusal = ServiceRefusal(409, error)
        case .unprocessableContent(let error): refusal = ServiceRefusal(422, error)
        case .preconditionRequired(let error): refusal = ServiceRefusal(428, error)
        case .undocumented(let status, let payload): refusal = await ServiceRefusal(status, payload)
        }
        switch refusal.status {
        // The service kept the task as failed, saying why the result was refused: nothing to send again.
        case 422: throw TaskOutcomeRefused(refusal.words(of: "outcome"))
        case 404, 409: throw TaskLeaseLost(refusal.words(of: "outcome"))
        default: throw refusal.unexpected(to: "tasks/\(claim.task)/finish")
        }
    }

    func log(_ claim: TaskLease, _ lines: [TaskLogLine]) async throws {
        if let due = await pending.add(lines, to: claim) { try await send(due, of: claim) }
    }

    /// Throws ``TaskLeaseLost`` when the service refuses the lines: the task is no longer this claim's.
    private func send(_ lines: [TaskLogLine], of claim: TaskLease) async throws {
        guard !lines.isEmpty else { return }
        let refusal: ServiceRefusal
        switch try await Self.call({
            try await service.agentTaskLogs(path: .init(id: "\(claim.task)"), headers: .init(leaseToken: claim.token),
                                            body: .json(lines.map(Components.Schemas.TaskLogLine.init)))
        }) {
        case .noContent: return
        case .badRequest(let error): refusal = ServiceRefusal(400, error)
        case .unauthorized(let error): refusal = ServiceRefusal(401, error)
        case .notFound(let error): refusal = ServiceRefusal(404, error)
        case .conflict(let error): refusal = ServiceRefusal(409, error)
        case .unprocessableContent(let error): refusal = ServiceRefusal(422, error)
        case .preconditionRequired(let error): refusal = ServiceRefusal(428, error)
        case .undocumented(let status, let payload): refusal = await ServiceRefusal(status, payload)
        }
        if [404, 409].contains(refusal.status) { throw TaskLeaseLost(refusal.words(of: "\(lines.count) log line(s)")) }
        throw refusal.unexpected(to: "tasks/\(claim.task)/logs")
    }

    /// One call of the generated client. Its failures are thrown as what is underneath (the transport's error, the decoder's),
    /// as they were before the client was generated: a ClientError's own description prints the call's input and headers.
    private static func call<Output>(_ body: () async throws -> Output) async throws -> Output {
        do {
            return try await body()
        } catch let error as ClientError {
            throw error.underlyingError
        }
    }
}

/// The service's answer when it is not the one hoped for: its status and what its JSON error says (never the token).
struct ServiceRefusal: Sendable {
    let status: Int
    /// "code: message" from the service's JSON error, or the start of whatever else it answered.
    let said: String

    init(_ status: Int, _ answer: Components.Responses._Error) {
        self.status = status
        switch answer.body {
        case .json(let error): said = "\(error.error.code): \(error.error.message)"
        }
    }

    init(_ status: Int, _ answer: UndocumentedPayload) async {
        self.status = status
        guard let body = answer.body else { said = ""; return }
        do {
            said = String(try await String(collecting: body, upTo: 16 << 20).prefix(500))
        } catch {
            said = "(its answer could not be read: \(error))"
        }
    }

    /// The refusal of a call on a task, in words for the worker's log.
    func words(of what: String) -> String {
        "The service refused the task's \(what) (\(status) \(said))"
    }

    /// A status the call does not expect.
    func unexpected(to path: String) -> Refused {
        Refused(description: "The service answered \(status) to \(path): \(said)")
    }

    struct Refused: Error, CustomStringConvertible {
        let description: String
    }
}
