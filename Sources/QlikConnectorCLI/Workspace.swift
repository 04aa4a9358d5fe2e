import Foundation
import Logging
import QlikConnections
import Repository
import Runtime
import Secrets
import UseCases

/// What a command works on: the repository, the organization chosen, and
/// (only when a credential must be sealed or opened) the keyring.
struct Workspace {
    let options: GlobalOptions
    let repository: any ConnectorRepository
    /// Where the repository is, as a person may see it (a PostgreSQL password masked).
    let databaseDescription: String
    let logger: Logger

    /// Opens the repository `--database` names: a SQLite file, or a shared PostgreSQL database by its postgres:// URL.
    /// A PostgreSQL repository runs in the command's ``RepositoryScope`` until the command returns.
    static func open(_ options: GlobalOptions) async throws -> Workspace {
        let logger = options.logger
        let location = try RepositoryLocation(options.resolvedDatabase)
        let repository = try await location.open(logger: logger)
        if let shared = repository as? PostgresRepository {
            guard let scope = RepositoryScope.current else {
                throw CLIError.failure("The PostgreSQL repository was opened outside a command, with nothing to run its connections.")
            }
            scope.run(shared)
            await shared.untilRunning()
        }
        return Workspace(options: options, repository: repository, databaseDescription: location.description, logger: logger)
    }

    /// Who the audit trail names for a command run from this shell.
    var actor: AuditActor {
        let user = Terminal.current.environment["USER"] ?? NSUserName()
        return AuditActor("cli:\(user.isEmpty ? "unknown" : user)")
    }

    /// The organization named by --org, or the only one there is.
    func organization() async throws -> Organization {
        if let name = options.resolvedOrganization {
            return try await repository.organization(named: name)
        }
        let all = try await repository.organizations()
        switch all.count {
        case 0: throw CLIError.usage("There is no organization yet; create one with 'qlik-connector org create NAME'.")
        case 1: return all[0]
        default:
            throw CLIError.usage("There are \(all.count) organizations (\(all.map { "'\($0.name)'" }.joined(separator: ", "))); "
                + "choose one with --org NAME or QLIK_CONNECTOR_ORG.")
        }
    }

    func keyring() async throws -> Keyring {
        try await MasterKeyLocation(options).keyring(agreeingWith: repository, logger: logger, notify: printNotice)
    }

    /// The keys, read again should another process rotate them while this command seals with them.
    func liveKeyring() async throws -> LiveKeyring {
        try await MasterKeyLocation(options).liveKeyring(agreeingWith: repository, logger: logger, notify: printNotice)
    }
}

extension GlobalOptions {
    /// The commands' logger, at --log-level or QLIK_CONNECTOR_LOG_LEVEL (warning by default). Logs go to standard error,
    /// so standard output stays clean for --json.
    var logger: Logger {
        let level = (logLevel ?? environment["QLIK_CONNECTOR_LOG_LEVEL"]).flatMap(Logger.Level.init(rawValue:)) ?? .warning
        var logger = Terminal.current.logger(label: "qlik-connector")
        logger.logLevel = level
        return logger
    }
}
