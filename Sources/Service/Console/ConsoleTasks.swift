import Foundation
import Hummingbird
import QlikConnections
import Repository
import ConnectorAPI

/// The console's Tasks and Secure Agents pages: what runs where, how it went, what it logged.
extension Console {
    func addTaskPages(to pages: RouterGroup<ServiceContext>) {
        let console = self
        pages.get("tasks") { _, context in try await console.tasks(context) }
        pages.get("tasks/:id") { _, context in try await console.task(context) }
        pages.get("agents") { _, context in try await console.agents(context) }
    }

    private func tasks(_ context: ServiceContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let environments = try await service.repository.runtimeEnvironments(of: principal.organizationID)
        let tasks = try await service.repository.tasks(of: principal.organizationID, limit: 200).map { Components.Schemas.Task($0, environments: environments) }
        var values = try base(context, title: "Tasks")
        values["hasTasks"] = !tasks.isEmpty
        values["tasks"] = tasks.map(Self.taskValues)
        return page("tasks", values)
    }

    private func task(_ context: ServiceContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let record = try await service.repository.task(try ConnectorService.taskID(context), in: principal.organizationID)
        let view = Components.Schemas.Task(record, environments: try await service.repository.runtimeEnvironments(of: principal.organizationID))
        let lines = try await service.repository.logs(of: record.id)
        var values = try base(context, title: "Task \(view.id.prefix(8))")
        values.merge(Self.taskValues(view)) { $1 }
        if let parameters = Self.pretty(record.payload), parameters != "{\n\n}", parameters != "{}" { values["parameters"] = parameters }
        if let result = record.result.flatMap(Self.pretty) {
            // A catalog can be large: the page shows its start, the API all of it.
            values["result"] = String(result.prefix(Self.resultShown))
            values["resultCut"] = result.count > Self.resultShown
        }
        values["hasLines"] = !lines.isEmpty
        values["lines"] = lines.map { ["at": Self.shown($0.at), "level": $0.level.uppercased(), "message": $0.message] }
        return page("task", values)
    }

    private func agents(_ context: ServiceContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let environments = try await service.repository.runtimeEnvironments(of: principal.organizationID)
        let agents = try await service.repository.agents(of: principal.organizationID).map { Components.Schemas.Agent($0, environments: environments) }
        var values = try base(context, title: "Secure Agents")
        values["hasAgents"] = !agents.isEmpty
        values["agents"] = agents.map { agent -> [String: Any] in
            ["name": agent.name, "runtimeEnvironment": agent.runtimeEnvironment, "status": agent.status.rawValue,
             "statusClass": agent.status == .available ? "ok" : agent.status == .unavailable ? "bad" : "none",
             "host": agent.host ?? "", "version": agent.version ?? "", "lastHeartbeat": agent.lastHeartbeatAt.map(Self.shown) ?? "never"]
        }
        return page("agents", values)
    }

    static let resultShown = 20_000

    /// JSON laid out for reading, keys sorted; nil when it is not JSON.
    private static func pretty(_ data: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: data),
              let laid = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else { return nil }
        return String(decoding: laid, as: UTF8.self)
    }

    private static func taskValues(_ view: Components.Schemas.Task) -> [String: Any] {
        ["id": view.id, "shortID": String(view.id.prefix(8)), "kind": view.kind.rawValue, "state": view.state.rawValue,
         "stateClass": view.state == .succeeded ? "ok" : view.state == .failed ? "bad" : "none",
         "connection": view.connection ?? "-", "runtimeEnvironment": view.runtimeEnvironment, "attempts": view.attempts, "maxAttempts": view.maxAttempts,
         "requestedBy": view.requestedBy, "createdAt": shown(view.createdAt), "startedAt": view.startedAt.map(shown) ?? "-",
         "finishedAt": view.finishedAt.map(shown) ?? "-", "error": view.error ?? false]
    }
}
