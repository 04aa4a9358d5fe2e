/// What the repository refuses or fails at, worded for the person who asked.
public enum RepositoryError: Error, Equatable, Sendable, CustomStringConvertible {
    case duplicateName(kind: String, name: String)
    /// `name` differs from the existing `existing` only in look-alike characters.
    case lookalikeName(kind: String, existing: String, name: String)
    /// `hint`: the existing names nearest to `name` ("did you mean"), or those there are.
    case notFound(kind: String, name: String, organization: String?, hint: String? = nil)
    case runtimeEnvironmentInUse(name: String, connections: [String])
    case cannotDeleteServerless
    case changedMeanwhile(name: String)
    case masterKeyChangedMeanwhile(sealedWith: String, active: String?)
    case secretsManagerInUse(connections: [String])
    case secretsManagerChangedMeanwhile(connection: String)
    case corrupt(reason: String)
    case storage(reason: String)
    case databaseAddress(reason: String)

    public var description: String {
        switch self {
        case .duplicateName(let kind, let name):
            "A \(kind) named '\(name)' already exists (names are compared without regard to case); choose another name."
        case .lookalikeName(let kind, let existing, let name):
            "A \(kind) named '\(existing)' already exists and '\(name)' looks the same (it differs only in look-alike characters); choose another name."
        case .notFound(let kind, let name, let organization, let hint):
            "No \(kind) named '\(name)'" + (organization.map { " in organization '\($0)'" } ?? "") + "." + (hint.map { " " + $0 } ?? "")
        case .runtimeEnvironmentInUse(let name, let connections):
            "Runtime environment '\(name)' is used by \(connections.count) connection(s) (\(connections.joined(separator: ", "))); "
                + "move or delete them first."
        case .cannotDeleteServerless:
            "The serverless runtime environment belongs to the organization and cannot be deleted."
        case .changedMeanwhile(let name):
            "Connection '\(name)' was changed by someone else while this update was prepared; nothing was written, run it again."
        case .masterKeyChangedMeanwhile(let sealedWith, let active):
            "A credential is sealed with master key \(sealedWith), but the repository's active key is \(active ?? "not registered") "
                + "(a key rotation ran meanwhile); nothing was written, run the command again."
        case .secretsManagerInUse(let connections):
            "\(connections.count) connection(s) take credentials from the current secrets manager "
                + "(\(connections.map { "'\($0)'" }.joined(separator: ", "))); change them first, or keep the same kind of manager."
        case .secretsManagerChangedMeanwhile(let connection):
            "The organization's secrets manager changed while connection '\(connection)' was prepared; nothing was written, run it again."
        case .corrupt(let reason):
            "The repository holds data this version cannot read: \(reason)."
        case .storage(let reason):
            "The repository could not complete the operation: \(reason)."
        case .databaseAddress(let reason):
            "The database address is not usable: \(reason)."
        }
    }

    /// Whether the user asked for something the rules forbid (exit code 2),
    /// rather than something failing (exit code 1).
    public var isUsageError: Bool {
        switch self {
        case .duplicateName, .lookalikeName, .notFound, .runtimeEnvironmentInUse, .cannotDeleteServerless, .secretsManagerInUse, .databaseAddress: true
        case .changedMeanwhile, .masterKeyChangedMeanwhile, .secretsManagerChangedMeanwhile, .corrupt, .storage: false
        }
    }
}
