import Foundation
import QlikConnectorCLI

// Everything this command creates (repository, key files) is for its owner only.
umask(0o077)
QlikConnectorCLI.bootstrapLogging()
exit(await QlikConnectorCLI.run(arguments: Array(CommandLine.arguments.dropFirst()), launcher: ConnectorServiceLauncher()))
