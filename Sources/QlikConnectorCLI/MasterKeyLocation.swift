import Foundation
import Logging
import Repository
import Secrets

/// Where the master key comes from, and how it agrees with the repository.
struct MasterKeyLocation {
    enum Source {
        case file(String)
        case environmentText
        /// <data-dir>/master.key, generated on first use.
        case managedFile(String)
    }

    let source: Source
    let dataDirectory: String

    init(_ options: GlobalOptions) {
        dataDirectory = options.resolvedDataDirectory
        if let path = options.masterKeyFile {
            source = .file(path)
        } else if let path = options.environment["QLIK_CONNECTOR_MASTER_KEY_FILE"], !path.isEmpty {
            source = .file(path)
        } else if let text = options.environment["QLIK_CONNECTOR_MASTER_KEY"], !text.isEmpty {
            source = .environmentText
        } else {
            source = .managedFile((options.resolvedDataDirectory as NSString).appendingPathComponent("master.key"))
        }
    }

    /// The managed key written first during a rotation, until the repository has switched to it.
    var nextKeyPath: String? {
        if case .managedFile(let path) = source { return path + ".next" }
        return nil
    }

    var describe: String {
        switch source {
        case .file(let path), .managedFile(let path): "the master key file \(path)"
        case .environmentText: "QLIK_CONNECTOR_MASTER_KEY"
        }
    }

    /// Loads the configured key, generating the managed one when the
    /// repository has no key yet, and refuses a key that did not seal the
    /// repository's credentials.
    func keyring(agreeingWith repository: some MasterKeyStore, logger: Logger) async throws -> Keyring {
        var key: MasterKey
        switch source {
        case .file(let path):
            key = try MasterKeyFile.read(path)
        case .environmentText:
            key = try MasterKey(text: ProcessInfo.processInfo.environment["QLIK_CONNECTOR_MASTER_KEY"] ?? "")
        case .managedFile(let path):
            if FileManager.default.fileExists(atPath: path) {
                key = try MasterKeyFile.read(path)
            } else if try await repository.activeMasterKeyID() != nil {
                // Another command starting at the same moment (a second replica) may have generated the key between the
                // check above and this read: it links the file in place before it registers the key, so look again.
                guard FileManager.default.fileExists(atPath: path) else {
                    throw CLIError.failure("The master key file \(path) is missing, but this repository's credentials are sealed with a key; "
                        + "restore the key file (or point --master-key-file at it).")
                }
                key = try MasterKeyFile.read(path)
            } else {
                key = MasterKey.generate()
                if try MasterKeyFile.createUnlessPresent(key, at: path) {
                    logger.notice("generated a master key", metadata: ["path": "\(path)", "keyID": "\(key.id)"])
                    printError("Generated a new master key at \(path) (readable by you only). Back it up: "
                        + "without it the credentials stored in this repository cannot be read.")
                } else {
                    // Another command generated it a moment ago: use theirs.
                    key = try MasterKeyFile.read(path)
                }
            }
        }
        let activeID = try await repository.activeMasterKeyID(registeringIfNone: key.id)
        if activeID == key.id { return Keyring(active: key) }
        // A rotation that stopped after the repository switched keys but
        // before the key files were swapped: finish it now.
        if case .managedFile(let path) = source, let next = nextKeyPath, FileManager.default.fileExists(atPath: next) {
            let nextKey = try MasterKeyFile.read(next)
            if nextKey.id == activeID {
                try retire(key, at: path)
                try MasterKeyFile.replace(path, with: next)
                printError("Finished an interrupted key rotation: \(path) now holds master key \(nextKey.id).")
                return Keyring(active: nextKey)
            }
        }
        throw SecretsError.wrongActiveKey(repositoryKeyID: activeID, configuredKeyID: key.id)
    }

    /// The keys as they are now, for a running service whose keys turned out stale (another process rotated them).
    /// Read only: it never generates, retires or moves a key file (the rotating process does, or the next command
    /// finishes an interrupted rotation); a rotation caught between its commit and its file swap is read from the staged key.
    func reloaded(keeping held: Keyring, agreeingWith repository: some MasterKeyStore) async throws -> Keyring {
        guard let activeID = try await repository.activeMasterKeyID(), activeID != held.active.id else { return held }
        var configured = held.active
        // Twice: the rotating process may move the staged key into place between the two reads.
        for _ in 0..<2 {
            configured = try configuredKey()
            if configured.id == activeID { return Keyring(active: configured).keeping(held) }
            if let staged = try stagedKey(), staged.id == activeID { return Keyring(active: staged, others: [configured]).keeping(held) }
        }
        throw SecretsError.rotatedKeyNotFound(repositoryKeyID: activeID, heldKeyID: held.active.id, location: describe)
    }

    /// The configured key as it is now; nothing is generated.
    private func configuredKey() throws -> MasterKey {
        switch source {
        case .file(let path), .managedFile(let path): try MasterKeyFile.read(path)
        case .environmentText: try MasterKey(text: ProcessInfo.processInfo.environment["QLIK_CONNECTOR_MASTER_KEY"] ?? "")
        }
    }

    /// The key a rotation staged before switching the repository to it, while it is there.
    private func stagedKey() throws -> MasterKey? {
        guard let next = nextKeyPath, FileManager.default.fileExists(atPath: next) else { return nil }
        do {
            return try MasterKeyFile.read(next)
        } catch SecretsError.keyFileUnreadable {
            // Moved into place since the check: the key file holds it now, and the next read finds it there.
            return nil
        }
    }

    /// Keeps a copy of an old managed key rather than deleting it: a backup
    /// of the repository taken before the rotation still needs it. The key
    /// file itself stays in place until the new one atomically replaces it.
    func retire(_ key: MasterKey, at path: String) throws {
        let retired = (dataDirectory as NSString).appendingPathComponent("master-\(key.id).retired.key")
        // False when an earlier rotation kept it already.
        _ = try MasterKeyFile.createUnlessPresent(key, at: retired)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
