public import Logging
public import Repository

extension RepositoryLocation {
    /// Opens the repository here, migrating its schema to this version; the caller closes it. A PostgreSQL repository
    /// lends connections only while the caller runs it (``PostgresRepository/run()``, a ServiceLifecycle service).
    public func open(logger: Logger) async throws -> any ConnectorRepository {
        switch self {
        case .sqlite(let path):
            let repository = try SQLiteRepository(path: path)
            logger.debug("opened repository", metadata: ["path": "\(path)"])
            return repository
        case .postgres(let address):
            let repository = try await PostgresRepository(address: address, logger: logger)
            logger.debug("opened repository", metadata: ["database": "\(address)"])
            return repository
        }
    }
}
