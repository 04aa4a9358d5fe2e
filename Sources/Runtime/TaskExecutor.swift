public import Connector
public import Foundation
public import Logging
public import QlikCloudAPI
public import QlikConnections

/// What each kind of task does.
public struct TaskExecutor: Sendable {
    let tester: ConnectionTester
    let settings: TransportSettings
    let files: TaskFiles
    let progress: (@Sendable (TableExport.Progress) -> Void)?
    let logger: Logger

    /// - Parameters:
    ///   - files: where read and write tasks may touch files here.
    ///   - progress: a read's progress, as rows arrive, for a task run in the caller's own process.
    public init(tester: ConnectionTester = ConnectionTester(), settings: TransportSettings = TransportSettings(), files: TaskFiles = .none,
                progress: (@Sendable (TableExport.Progress) -> Void)? = nil, logger: Logger) {
        self.tester = tester
        self.settings = settings
        self.files = files
        self.progress = progress
        self.logger = logger
    }

    public func execute(_ claimed: ClaimedTask, log: @escaping @Sendable ([TaskLogLine]) async throws -> Void) async -> TaskOutcome {
        let record = claimed.record
        switch record.kind {
        case .noop:
            let payload: NoopPayload
            do { payload = try JSONDecoder().decode(NoopPayload.self, from: record.payload) } catch {
                return TaskOutcome(succeeded: false, error: "The task's payload is not {\"milliseconds\": N}: \(error)")
            }
            // One line per run: a task that ran twice (its worker died mid-way) shows two.
            await note(log, "No-op: waiting \(payload.milliseconds) ms")
            do {
                if payload.milliseconds > 0 { try await Task.sleep(for: .milliseconds(payload.milliseconds)) }
            } catch {
                return TaskOutcome(succeeded: false, error: "The task was stopped.")
            }
            return TaskOutcome(succeeded: true)
        case .test, .discover, .read, .write, .reload:
            let connection: TaskConnection
            switch claimed.connection {
            case .success(let resolved)?: connection = resolved
            case .failure(let unavailable)?: return TaskOutcome(succeeded: false, error: unavailable.description)
            case nil: return TaskOutcome(succeeded: false, error: "The task names no connection to \(record.kind == .test ? "test" : "use").")
            }
            guard record.kind == .test else {
                let scoped: TaskFiles
                do { scoped = try files.scoped(to: record.organizationID) } catch {
                    return TaskOutcome(succeeded: false, error: "\(error)")
                }
                // The task's log is read by the organization's users: paths in it are relative to the files folder.
                let runner = DataTaskRunner(settings: settings, files: scoped, progress: progress) { lines in await note(log, lines.map(scoped.shown)) }
                return await runner.run(record.kind, payload: record.payload, on: connection)
            }
            await note(log, "Testing connection '\(record.connectionName ?? "?")' against \(connection.baseURL)")
            let report = await tester.run(baseURL: connection.baseURL, authentication: connection.authentication, hosts: connection.hosts)
            await note(log, report.steps.map { "\($0.verdict.rawValue): \($0.name) (\($0.milliseconds) ms)" })
            do {
                return TaskOutcome(succeeded: report.succeeded, result: try TaskResults.encode(report), error: report.succeeded ? nil : report.summary)
            } catch {
                return TaskOutcome(succeeded: false, error: "The report could not be encoded: \(error)")
            }
        }
    }

    private func note(_ log: @Sendable ([TaskLogLine]) async throws -> Void, _ messages: String...) async {
        await note(log, messages)
    }

    /// A log line that cannot be written is not worth failing the task for: it is noted here instead.
    private func note(_ log: @Sendable ([TaskLogLine]) async throws -> Void, _ messages: [String]) async {
        do { try await log(messages.map { TaskLogLine(message: $0) }) } catch {
            logger.warning("task log lines could not be kept", metadata: ["error": "\(error)", "lines": "\(messages.count)"])
        }
    }
}

/// A no-op task's parameters.
public struct NoopPayload: Codable, Sendable {
    public let milliseconds: Int
    public init(milliseconds: Int) { self.milliseconds = milliseconds }
}

/// Task results as JSON: dates as milliseconds since 1970, so nothing is lost between the worker and the service.
public enum TaskResults {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try decoder.decode(type, from: data)
    }
}
