import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import QlikConnections
import Repository
import Runtime
import ConnectorAPI

/// `POST /api/v1/connections/{name}/tasks`: queue discover, read, write or
/// reload on the connection's runtime environment. Answers 202 with the task
/// to follow (at once when no agent of its Secure Agent group is available,
/// saying so), or 200 with it finished when it ends within `wait` seconds.
/// `GET /api/v1/tasks/{id}/result`: what a finished task produced (a catalog,
/// a read's summary, ...), as the task kept it.
extension ConnectorService {
    struct NewTask: Decodable {
        let kind: String
    }

    static let dataTaskKinds: [TaskKind] = [.discover, .read, .write, .reload]

    func addConnectionTaskRoutes(to api: RouterGroup<ServiceContext>) {
        let service = self
        let repository = self.repository
        api.post("connections/:name/tasks") { request, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.designer)
            let wait = try request.integerQuery("wait") ?? 0
            guard (0...90).contains(wait) else { throw APIError.invalid("wait", "wait is \(wait); expected 0 to 90 seconds.") }
            let body = Data(buffer: try await request.body.collect(upTo: 1 << 20))
            let (kind, parameters) = try Self.taskRequest(body)
            let payload: Data
            do {
                payload = try TaskPayloads.checked(kind, parameters)
            } catch let error as TaskParameterError {
                throw APIError(.unprocessableContent, code: "validation_failed", error.description, field: "parameters",
                               problems: error.problems.map { APIError.Problem(field: "parameters", message: $0) })
            }
            let connection = try await repository.connection(named: try context.pathParameter("name"), in: principal.organizationID)
            let environments = try await repository.runtimeEnvironments(of: principal.organizationID)
            try service.checkRunnable(connection, in: environments)
            let task = TaskRecord(organizationID: principal.organizationID, runtimeEnvironmentID: connection.runtimeEnvironmentID, connectionID: connection.id,
                                  connectionName: connection.name.value, kind: kind, payload: payload, requestedBy: service.actor(principal).name)
            let finished = try await service.queueAndWait(task, environments: environments, upTo: .seconds(wait))
            return try ServiceJSON.response(Components.Schemas.Task(finished, environments: environments))
        }
        api.get("tasks/:id/result") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let task = try await repository.task(try Self.taskID(context), in: principal.organizationID)
            guard let result = task.result else {
                throw APIError(.notFound, code: "no_result",
                               task.state.isFinished ? "Task \(task.id) \(task.state.rawValue) without a result: \(task.error ?? "no reason given")."
                                                     : "Task \(task.id) is \(task.state.rawValue); its result comes when it finishes.")
            }
            // A result kept before results were checked on arrival, and not what the task's kind gives, is no result to hand out.
            if let malformed = TaskResultCheck.problem(with: result, of: task.kind, succeeded: task.state == .succeeded) {
                throw APIError(.notFound, code: "no_result", "Task \(task.id) has no usable result: \(malformed.description)")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: result)))
        }
    }

    /// The body's kind (a data task's) and its parameters as JSON.
    static func taskRequest(_ body: Data) throws -> (TaskKind, Data) {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw APIError.invalid("body", "The body is not a JSON object; expected {\"kind\": ..., \"parameters\": {...}}.")
            }
            object = parsed
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.badRequest, code: "malformed_body", "The body is not valid JSON.")
        }
        let names = dataTaskKinds.map(\.rawValue).joined(separator: ", ")
        guard let text = object["kind"] as? String else { throw APIError.invalid("kind", "kind is missing; expected one of \(names).") }
        guard let kind = TaskKind(rawValue: text), dataTaskKinds.contains(kind) else {
            throw APIError.invalid("kind", "kind is '\(text)'; expected one of \(names) (Test Connection is POST .../test).")
        }
        let unknown = Set(object.keys).subtracting(["kind", "parameters"])
        guard unknown.isEmpty else { throw APIError.invalid(unknown.sorted()[0], "'\(unknown.sorted()[0])' is not a field here; expected kind and parameters.") }
        let parameters = object["parameters"] ?? [String: Any]()
        guard parameters is [String: Any] else { throw APIError.invalid("parameters", "parameters is not a JSON object.") }
        return (kind, try JSONSerialization.data(withJSONObject: parameters))
    }
}
