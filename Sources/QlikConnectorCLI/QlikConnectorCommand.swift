import ArgumentParser
import Connector
import QlikCloudAPI
import Foundation
import Logging
import QVD
import QlikConnections
import Repository
import Runtime
import Secrets
import UseCases

/// The entry point of the `qlik-connector` executable.
public enum QlikConnectorCLI {
    /// Runs the command line and returns the exit code: 0 success, 1
    /// failure, 2 usage or validation error. Messages go to standard error.
    /// `launcher` starts the connection service for `serve`; without one, `serve` fails saying so.
    public static func run(arguments: [String], launcher: (any ServiceLauncher)? = nil) async -> Int32 {
        await ServeCommand.$launcher.withValue(launcher) {
            // What the repository reports on its own (an allow-list entry it skips) goes where the command's words go.
            await TenantHostEntry.$logger.withValue(Terminal.current.logger(label: "qlik-connector.tenant-hosts")) {
                await QlikConnectorCommand.run(arguments: arguments)
            }
        }
    }

    /// Makes every logger created without a handler of its own (the built-in
    /// sandbox's, the HTTP server's) escape control characters and write to
    /// standard error, like the loggers the commands create. Once per process.
    public static func bootstrapLogging() {
        LoggingSystem.bootstrap { label in EscapingLogHandler(wrapping: StreamLogHandler.standardError(label: label)) }
    }
}

/// `qlik-connector`: the one command.
struct QlikConnectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qlik-connector",
        abstract: "Define, prove and use Qlik Cloud connections.",
        version: version,
        subcommands: [OrganizationCommand.self, RuntimeEnvironmentCommand.self, ConnectionCommand.self, DiscoverCommand.self, ReadCommand.self, WriteCommand.self,
                      ReloadCommand.self, AirbyteCommand.self, AuditCommand.self, QVDCommand.self, SandboxCommand.self,
                      ServeCommand.self, UserCommand.self, AgentCommand.self, TaskCommand.self, HostsCommand.self]
    )
    static let version = "0.1.0"

    static func run(arguments: [String]) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await RepositoryScope.run(logger: Terminal.current.logger(label: "qlik-connector.repository")) { try await asyncCommand.run() }
            } else {
                try command.run()
            }
            return 0
        } catch {
            return report(error)
        }
    }

    /// Each typed error's message on one line, escaped: it can carry a task's error, so the tenant's or a user's text.
    static func report(_ error: any Error) -> Int32 {
        switch error {
        case let error as CLIError:
            Terminal.current.error("error: \(error.description.printable)")
            return error.kind == .usage ? 2 : 1
        case let error as ConnectionValidationError:
            Terminal.current.error("error: the definition breaks \(error.problems.count == 1 ? "a rule" : "\(error.problems.count) rules"):")
            error.problems.forEach { Terminal.current.error(("  - \($0.description)" + remedy($0.remedy)).printable) }
            return 2
        case let error as RepositoryError:
            Terminal.current.error("error: \(error.description.printable)")
            return error.isUsageError ? 2 : 1
        case let error as QVDError:
            Terminal.current.error("error: \(error.description.printable)")
            return [.invalidInput, .unknownField].contains(error.kind) ? 2 : 1
        case let error as SecretsError:
            Terminal.current.error("error: \(error.description.printable)")
            return error.isUsageError ? 2 : 1
        case let error as ConnectorError:
            Terminal.current.error("error: \(error.description.printable)")
            return error.isUsageError ? 2 : 1
        case let error as TableReader.Failure:
            Terminal.current.error("error: \(error.description.printable)")
            return 2
        case let error as QlikAPIError:
            Terminal.current.error("error: \(error.description.printable)")
            return 1
        case let error as EngineError:
            Terminal.current.error("error: \(error.description.printable)")
            return 1
        case let error as UserValidationError:
            Terminal.current.error("error: \(error.description.printable)")
            return 2
        case let error as UseCaseError:
            Terminal.current.error("error: \(error.description.printable)")
            return error.isRequestFault ? 2 : 1
        default:
            let code = exitCode(for: error)
            if code == .success {
                Terminal.current.line(fullMessage(for: error))
                return 0
            }
            if error is ExitCode { return code.rawValue }
            if code.rawValue == ExitCode.validationFailure.rawValue || isParseError(error) {
                Terminal.current.error(errorLine(fullMessage(for: error)))
                return 2
            }
            Terminal.current.error("error: \(error)")
            return 1
        }
    }

    /// How this command line makes a field acceptable, for a problem that names a remedy.
    static func remedy(_ remedy: FieldProblem.Remedy?) -> String {
        switch remedy {
        case .tenantHostAllowList(let pattern)?: " The operator of this service admits it with 'qlik-connector hosts allow \(pattern)'."
        case nil: ""
        }
    }

    /// ArgumentParser's message (with its usage lines) in the one style every error here has: starting with "error: ".
    static func errorLine(_ message: String) -> String {
        for prefix in ["Error: ", "error: "] where message.hasPrefix(prefix) {
            return "error: " + message.dropFirst(prefix.count)
        }
        return "error: " + message
    }

    /// ArgumentParser's own errors (unknown option, missing value) are usage errors.
    private static func isParseError(_ error: any Error) -> Bool {
        String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }
}
