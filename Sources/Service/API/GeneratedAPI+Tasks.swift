import ConnectorAPI
import Foundation
import QlikConnections
import Repository

/// Tasks, their logs: everyone in the organization reads them.
extension GeneratedAPI {
    /// The newest first, `limit` of them (1 to 500, default 100).
    func listTasks(_ input: Operations.ListTasks.Input) async throws -> Operations.ListTasks.Output {
        let principal = try GeneratedCallScope.callingUser()
        let limit = input.query.limit ?? 100
        guard (1...500).contains(limit) else { throw APIError.invalid("limit", "limit is \(limit); expected 1 to 500.") }
        let environments = try await service.repository.runtimeEnvironments(of: principal.organizationID)
        let tasks = try await service.repository.tasks(of: principal.organizationID, limit: limit)
        return .ok(.init(body: .json(.init(items: tasks.map { .init($0, environments: environments) }, total: tasks.count, nextCursor: nil))))
    }

    func getTask(_ input: Operations.GetTask.Input) async throws -> Operations.GetTask.Output {
        let principal = try GeneratedCallScope.callingUser()
        let task = try await service.repository.task(try Self.taskID(input.path.id), in: principal.organizationID)
        return .ok(.init(body: .json(.init(task, environments: try await service.repository.runtimeEnvironments(of: principal.organizationID)))))
    }

    func getTaskLogs(_ input: Operations.GetTaskLogs.Input) async throws -> Operations.GetTaskLogs.Output {
        let principal = try GeneratedCallScope.callingUser()
        let task = try await service.repository.task(try Self.taskID(input.path.id), in: principal.organizationID)
        return .ok(.init(body: .json(try await service.repository.logs(of: task.id).map(Components.Schemas.TaskLogLine.init))))
    }

    static func taskID(_ text: String) throws -> TaskID {
        guard let uuid = UUID(uuidString: text) else { throw APIError.notFound("Task '\(text)'") }
        return TaskID(uuid)
    }
}
