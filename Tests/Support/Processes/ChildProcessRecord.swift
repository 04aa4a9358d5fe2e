import Foundation

/// The programs the tests started and have not yet seen end, each a file named for its process id in the folder
/// `QLIK_CONNECTOR_TEST_CHILDREN` names (scripts/test makes it). A test process that crashes cannot stop its children;
/// scripts/test stops the ones still listed when a `swift test` run ends, so a crash leaves no sandbox, service or
/// agent running to load the machine.
enum ChildProcessRecord {
    static let folder = ProcessInfo.processInfo.environment["QLIK_CONNECTOR_TEST_CHILDREN"]

    static func started(_ processIdentifier: pid_t) {
        guard let folder else { return }
        // Best effort: without the file, only a crash of this process would leave the child behind.
        _ = FileManager.default.createFile(atPath: "\(folder)/\(processIdentifier)", contents: nil)
    }

    static func ended(_ processIdentifier: pid_t) {
        guard let folder else { return }
        try? FileManager.default.removeItem(atPath: "\(folder)/\(processIdentifier)")
    }
}
