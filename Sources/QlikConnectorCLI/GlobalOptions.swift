import ArgumentParser
import Foundation

/// Where the product keeps its state, shared by every command.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: ArgumentHelp(
        "Folder for the repository and the generated master key (default: $QLIK_CONNECTOR_HOME or ~/.qlik-connector).",
        valueName: "dir"))
    var dataDirectory: String?

    @Option(name: .customLong("database"), help: ArgumentHelp(
        "SQLite repository file, or a shared PostgreSQL database as postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require] "
            + "(default: $QLIK_CONNECTOR_DATABASE or <data-dir>/qlik-connector.sqlite).", valueName: "path-or-url"))
    var database: String?

    @Option(name: .customLong("master-key-file"), help: ArgumentHelp(
        "File holding the base64 master key that seals credentials (default: $QLIK_CONNECTOR_MASTER_KEY_FILE, "
            + "$QLIK_CONNECTOR_MASTER_KEY, or <data-dir>/master.key, generated on first use).", valueName: "path"))
    var masterKeyFile: String?

    @Option(name: .customLong("org"), help: ArgumentHelp(
        "Organization to act on (default: $QLIK_CONNECTOR_ORG, or the only one there is).", valueName: "name"))
    var organization: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default: $QLIK_CONNECTOR_LOG_LEVEL or warning).")
    var logLevel: String?

    var environment: [String: String] { Terminal.current.environment }

    var resolvedDataDirectory: String {
        if let dataDirectory { return dataDirectory }
        if let home = environment["QLIK_CONNECTOR_HOME"], !home.isEmpty { return home }
        return (NSHomeDirectory() as NSString).appendingPathComponent(".qlik-connector")
    }

    var resolvedDatabase: String {
        if let database { return database }
        if let path = environment["QLIK_CONNECTOR_DATABASE"], !path.isEmpty { return path }
        return (resolvedDataDirectory as NSString).appendingPathComponent("qlik-connector.sqlite")
    }

    var resolvedOrganization: String? {
        organization ?? environment["QLIK_CONNECTOR_ORG"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
