import ArgumentParser
import Foundation
import QlikConnections
import Repository
import Secrets

extension ConnectionCommand {
    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Re-seal every stored credential under a new master key, in one transaction."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("File holding the new base64 master key (default: generate one into the data folder).", valueName: "path"))
        var newKeyFile: String?

        func run() async throws {
            let workspace = try Workspace(global)
            let location = MasterKeyLocation(global)
            let current = try await workspace.keyring()
            let newKey: MasterKey
            var stagedPath: String?
            if let newKeyFile {
                newKey = try MasterKeyFile.read(newKeyFile)
            } else if let next = location.nextKeyPath {
                // Written before the repository changes, so a crash in between loses nothing.
                if FileManager.default.fileExists(atPath: next) { try FileManager.default.removeItem(atPath: next) }
                newKey = MasterKey.generate()
                try MasterKeyFile.create(newKey, at: next)
                stagedPath = next
            } else {
                throw CLIError.usage("The master key comes from \(location.describe); give the new one with --new-key-file PATH.")
            }
            guard newKey.id != current.active.id else {
                throw CLIError.usage("The new master key is the one already in use (\(newKey.id)).")
            }
            let next = Keyring(active: newKey, others: [current.active])
            let count: Int
            do {
                count = try await workspace.repository.rotateMasterKey(to: newKey.id, by: workspace.actor) { connection, field, sealed in
                    try next.reseal(sealed, for: connection, field: field)
                }
            } catch {
                if let stagedPath { try? FileManager.default.removeItem(atPath: stagedPath) }
                throw error
            }
            if let stagedPath, case .managedFile(let path) = location.source {
                try location.retire(current.active, at: path)
                try FileManager.default.moveItem(atPath: stagedPath, toPath: path)
                print("Re-sealed \(count) credential(s) under master key \(newKey.id), now in \(path).")
                print("The previous key \(current.active.id) was moved aside in \(location.dataDirectory); destroy it once no backup needs it.")
            } else {
                print("Re-sealed \(count) credential(s) under master key \(newKey.id).")
                print("Configure the new key (--master-key-file or QLIK_CONNECTOR_MASTER_KEY_FILE) from now on; key \(current.active.id) is no longer used.")
            }
        }
    }
}
