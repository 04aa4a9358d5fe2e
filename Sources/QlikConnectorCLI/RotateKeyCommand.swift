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
        @Flag(help: "Print JSON.") var json = false

        struct Result: Encodable {
            let resealed: Int
            let keyID: String
            let previousKeyID: String
            let keyFile: String?
            let retiredKeyFile: String?
        }

        func run() async throws {
            let location = MasterKeyLocation(global)
            // One rotation at a time per data folder: a second would delete the first's staged key.
            let lock = try FileLock(path: (location.dataDirectory as NSString).appendingPathComponent("rotate-key.lock"))
            defer { lock.release() }
            let workspace = try await Workspace.open(global)
            let current = try await workspace.keyring()
            let newKey: MasterKey
            var stagedPath: String?
            if let newKeyFile {
                newKey = try MasterKeyFile.read(newKeyFile)
            } else if let next = location.nextKeyPath {
                // Staged before the repository changes, so a stop in between loses nothing;
                // a leftover from a rotation that never committed is not in use and goes.
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
                count = try await workspace.repository.rotateMasterKey(to: newKey.id, by: workspace.actor) { slot, sealed in
                    try next.reseal(sealed, for: slot)
                }
            } catch {
                if let stagedPath {
                    do { try FileManager.default.removeItem(atPath: stagedPath) } catch {
                        workspace.logger.warning("could not remove the unused staged key", metadata: ["path": "\(stagedPath)"])
                    }
                }
                throw error
            }
            var result = Result(resealed: count, keyID: newKey.id, previousKeyID: current.active.id, keyFile: newKeyFile, retiredKeyFile: nil)
            if let stagedPath, case .managedFile(let path) = location.source {
                try location.retire(current.active, at: path)
                try MasterKeyFile.replace(path, with: stagedPath)
                result = Result(resealed: count, keyID: newKey.id, previousKeyID: current.active.id, keyFile: path,
                                retiredKeyFile: (location.dataDirectory as NSString).appendingPathComponent("master-\(current.active.id).retired.key"))
            }
            if json { return try Output.json(result) }
            print("Re-sealed \(count) credential(s) under master key \(newKey.id)" + (result.keyFile.map { ", now in \($0)." } ?? "."))
            if let retired = result.retiredKeyFile {
                print("A copy of the previous key \(current.active.id) is kept in \(retired); destroy it once no backup needs it.")
            } else {
                print("Configure the new key (--master-key-file or QLIK_CONNECTOR_MASTER_KEY_FILE) from now on; key \(current.active.id) is no longer used.")
            }
        }
    }
}
