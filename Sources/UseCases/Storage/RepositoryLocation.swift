public import Repository

/// Where the repository is: a SQLite file, or a shared PostgreSQL database by
/// its postgres:// URL. What the user gives (`--database`, an environment
/// variable) is read once here; the description never shows a password.
public enum RepositoryLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresAddress)

    /// A postgres:// (or postgresql://) URL names a PostgreSQL database; anything else is a SQLite file's path.
    public init(_ text: String) throws(RepositoryError) {
        self = PostgresAddress.isPostgres(text) ? .postgres(try PostgresAddress(text)) : .sqlite(path: text)
    }

    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let address): address.description
        }
    }
}
