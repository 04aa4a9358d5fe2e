import Connector
import Foundation
import QlikCloudAPI
import QlikConnections
import Repository
import Runtime
import Secrets
import UseCases

/// A connection's operation started from the command line, as a task on the
/// connection's runtime environment, so it shows in `task list`, the API and
/// the console like any other. On the serverless environment this process
/// is the worker (the task runs here, with this shell's files); on a Secure
/// Agent group the task waits in the queue for one of the group's agents,
/// and the command waits for its outcome. A group with no agent available
/// gets no task at all (unless `--agent-wait` asks to wait anyway): the
/// command says so at once instead of leaving a task to run later by surprise.
struct ConnectionTaskRun {
    let workspace: Workspace
    let connectionName: String
    var settings = TransportSettings()
    var tester: ConnectionTester?
    /// Seconds to wait for an agent to finish the task, as given; nil waits `defaultAgentWait`, and only while an agent of the group is available.
    var agentWait: Int?
    var progress: (@Sendable (TableExport.Progress) -> Void)?

    /// The finished task, and the connection it ran on.
    func run(_ kind: TaskKind, _ parameters: some Encodable) async throws -> (TaskRecord, StoredConnection) {
        let payload: Data
        do {
            payload = try TaskPayloads.checked(kind, try TaskResults.encode(parameters))
        } catch let error as TaskParameterError {
            throw CLIError.usage(error.description)
        }
        let organization = try await workspace.organization()
        let connection = try await workspace.repository.connection(named: connectionName, in: organization.id)
        let environments = try await workspace.repository.runtimeEnvironments(of: organization.id)
        guard let environment = environments.first(where: { $0.id == connection.runtimeEnvironmentID }) else {
            throw CLIError.failure("Connection '\(connection.name)' names a runtime environment that no longer exists.")
        }
        let repository = workspace.repository
        if environment.kind == .serverless {
            // Run here, once: a command that stops mid-task leaves it failed by its lease, not retried by another process with other files.
            let owner = "cli:\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
            let record = TaskRecord(organizationID: organization.id, runtimeEnvironmentID: environment.id, connectionID: connection.id,
                                    connectionName: connection.name.value, kind: kind, payload: payload, maxAttempts: 1, requestedBy: workspace.actor.name)
            let lease: TimeInterval = 20
            let started = try await repository.enqueueStarted(record, owner: owner, lease: lease, now: Date())
            guard let claim = started.lease else { throw CLIError.failure("Task \(started.id) was stored without a lease token; run the command again.") }
            let workspace = self.workspace
            let executor = TaskExecutor(tester: tester ?? ConnectionTester(settings: settings), settings: settings, files: .anywhere,
                                        progress: progress, logger: workspace.logger)
            try await SecretResolution.withResolver { resolver in
                let resolved: Result<TaskConnection, TaskCredentialsUnavailable>?
                do {
                    resolved = try await TaskConnections.resolve(started, in: repository, keyring: { _ in
                        // The task keeps words for the organization's users (no path on this machine); the person here reads the detail.
                        do { return try await workspace.keyring() } catch let error as SecretsError {
                            workspace.logger.error("the master key could not be loaded", metadata: ["error": "\(error)"])
                            throw error
                        } catch where error is CLIError || error is UseCaseError {
                            // A missing key file, by its path: said here, while the task (which the organization reads) fails without it.
                            workspace.logger.error("the master key could not be loaded", metadata: ["error": "\(error)"])
                            throw TaskCredentialsUnavailable("The master key could not be loaded on the machine that ran this command; "
                                + "its operator must restore it (the command's log said where and why).")
                        }
                    }, resolver: resolver)
                } catch {
                    // The task is closed with the reason, not left running until its lease runs out; the reason is what the user sees.
                    do {
                        _ = try await repository.finish(claim, owner: owner, succeeded: false, result: nil, error: "\(error)", at: Date())
                    } catch let unrecorded {
                        workspace.logger.warning("the task could not be closed; its lease runs out instead", metadata: ["error": "\(unrecorded)"])
                    }
                    throw error
                }
                let source = RepositoryTaskSource(repository: repository, keyring: nil, resolver: resolver, owner: owner, lease: lease) { [] }
                await TaskWorker(source: source, executor: executor, logger: workspace.logger).runOne(ClaimedTask(record: started, lease: claim, connection: resolved))
            }
            return (try await repository.task(started.id, in: organization.id), connection)
        }
        let record = TaskRecord(organizationID: organization.id, runtimeEnvironmentID: environment.id, connectionID: connection.id,
                                connectionName: connection.name.value, kind: kind, payload: payload, requestedBy: workspace.actor.name)
        // One decision, before queuing and while waiting: go on only while an agent of the group is alive, unless --agent-wait asked to wait anyway.
        let submitted: SubmittedTask
        switch try await TaskSubmission(queue: repository).queueWhenRunnable(record, on: environment, regardless: agentWait != nil) {
        case .refused(let availability):
            let what = kind == .test ? "Test Connection" : "The \(kind.rawValue) task"
            throw CLIError.failure(availability.explanation + " \(what) was not queued, so nothing runs later by surprise; "
                + "run the command again once an agent runs, or give --agent-wait SECONDS to queue it and wait for an agent.")
        case .queued(let queued):
            submitted = queued
        }
        let agentWait = self.agentWait ?? Self.defaultAgentWait
        Terminal.current.errorText("Task \(record.id) queued on Secure Agent group '\(environment.name)'; waiting for one of its agents (up to \(agentWait) s).\n")
        // The agent reports to the service, not here: on PostgreSQL the finish is announced to this process, elsewhere the task is read every 200 ms.
        let outcome = try await TaskWaiter.wait(for: submitted, in: repository, until: .now + .seconds(agentWait), polling: .milliseconds(200),
                                                logger: workspace.logger)
        let follow = "follow it with 'qlik-connector task show \(outcome.task.id)', and check the agents with 'qlik-connector agent list'."
        switch outcome {
        case .finished(let task):
            return (task, connection)
        case .stillPending(let task):
            let still = task.state == .queued ? "It stays queued and runs when an agent of the group takes it" : "An agent is running it"
            throw CLIError.failure("Task \(task.id) is still \(task.state.rawValue) after \(agentWait) s: no agent of group '\(environment.name)' finished it. "
                + "\(still); " + follow)
        case .noAgentLeft(let task, let availability):
            // Tasks have no cancel: the task stays, and the user learns it will run later rather than waiting minutes for nothing.
            let still = task.state == .queued ? "stays queued and runs when an agent of the group starts"
                : "is \(task.state.rawValue) on an agent that stopped; it runs again on the next agent of the group once its lease runs out, if attempts remain"
            throw CLIError.failure("Stopped waiting for task \(task.id): " + availability.explanation + " The task \(still); " + follow)
        }
    }

    /// Seconds a command waits for an agent when `--agent-wait` is not given.
    static let defaultAgentWait = 300

    /// The task's result as `T`; a task that stopped on an error throws it, as a usage error when the input was at fault.
    static func result<T: Decodable>(_ type: T.Type, of task: TaskRecord) throws -> T {
        let data = try resultText(of: task)
        do {
            return try TaskResultCheck.decode(type, from: data, of: task.kind)
        } catch {
            throw CLIError.failure("Task \(task.id) gave a result this command cannot read (another version ran it?): \(error.description)")
        }
    }

    /// The task's result as its JSON text; a task that stopped on an error throws it, as a usage error when the input was at fault.
    static func resultText(of task: TaskRecord) throws -> Data {
        if task.state == .failed, let data = task.result,
           let object = try JSONSerialization.jsonObject(with: data) as? [String: Any], object.count == 1, let inputError = object["inputError"] as? Bool {
            let message = task.error ?? "The task failed."
            throw inputError ? CLIError.usage(message) : CLIError.failure(message)
        }
        guard let data = task.result else {
            throw CLIError.failure("Task \(task.id) \(task.state.rawValue): \(task.error ?? "it gave no result").")
        }
        return data
    }
}
