import ArgumentParser
import UseCases

extension ConnectionCommand {
    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Re-seal every stored credential under a new master key, in one transaction."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("File holding the new base64 master key (default: generate one into the data folder).", valueName: "path"))
        var newKeyFile: String?
        @Flag(help: "Print JSON.") var json = false

        struct Result: Encodable {
            let resealed: Int
            let keyID: String
            let previousKeyID: String
            let keyFile: String?
            let retiredKeyFile: String?
        }

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let outcome = try await KeyRotation.rotate(MasterKeyLocation(global), repository: workspace.repository, newKeyFile: newKeyFile,
                                                       by: workspace.actor, logger: workspace.logger, notify: printNotice)
            let result = Result(resealed: outcome.resealed, keyID: outcome.keyID, previousKeyID: outcome.previousKeyID,
                                keyFile: outcome.keyFile, retiredKeyFile: outcome.retiredKeyFile)
            if json { return try Output.json(result) }
            Terminal.current.line("Re-sealed \(outcome.resealed) credential(s) under master key \(outcome.keyID)" + (result.keyFile.map { ", now in \($0)." } ?? "."))
            if let retired = result.retiredKeyFile {
                Terminal.current.line("A copy of the previous key \(outcome.previousKeyID) is kept in \(retired); destroy it once no backup needs it.")
            } else {
                Terminal.current.line("Configure the new key (--master-key-file or QLIK_CONNECTOR_MASTER_KEY_FILE) from now on; key \(outcome.previousKeyID) is no longer used.")
            }
        }
    }
}
