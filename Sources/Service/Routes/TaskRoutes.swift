import Foundation
import Hummingbird
import HTTPTypes
import QlikConnections
import Repository

/// A task that had not finished when its request stopped waiting: 202 with the task to follow.
struct TaskPending: HTTPResponseError {
    let task: TaskRecord
    let environments: [RuntimeEnvironment]
    var status: HTTPResponse.Status { .accepted }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try ServiceJSON.response(TaskView(task, environments: environments), status: .accepted)
        response.headers[.location] = "/api/v1/tasks/\(task.id)"
        return response
    }
}

extension ConnectorService {
    /// `GET /api/v1/tasks` (newest first, `limit` 1 to 500), `GET .../{id}`, `GET .../{id}/logs`: everyone in the organization.
    func addTaskRoutes(to api: RouterGroup<ServiceContext>) {
        let repository = self.repository
        api.get("tasks") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let limit = try request.integerQuery("limit") ?? 100
            guard (1...500).contains(limit) else { throw APIError.invalid("limit", "limit is \(limit); expected 1 to 500.") }
            let environments = try await repository.runtimeEnvironments(of: principal.organizationID)
            let tasks = try await repository.tasks(of: principal.organizationID, limit: limit)
            return try ServiceJSON.response(Page(items: tasks.map { TaskView($0, environments: environments) }, total: tasks.count, nextCursor: nil))
        }
        api.get("tasks/:id") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let task = try await repository.task(try Self.taskID(context), in: principal.organizationID)
            return try ServiceJSON.response(TaskView(task, environments: try await repository.runtimeEnvironments(of: principal.organizationID)))
        }
        api.get("tasks/:id/logs") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let task = try await repository.task(try Self.taskID(context), in: principal.organizationID)
            return try ServiceJSON.response(try await repository.logs(of: task.id).map(TaskLogLineView.init))
        }
    }

    static func taskID(_ context: ServiceContext) throws -> TaskID {
        let text = try context.pathParameter("id")
        guard let uuid = UUID(uuidString: text) else { throw APIError.notFound("Task '\(text)'") }
        return TaskID(uuid)
    }
}
