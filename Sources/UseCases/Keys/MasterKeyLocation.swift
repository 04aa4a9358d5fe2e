import Foundation
public import Logging
public import Repository
public import Secrets

/// Where the master key comes from, and how it agrees with the repository:
/// a key file given, the key's text in the environment, or the managed key
/// file in the data folder (generated on first use, swapped by a rotation).
public struct MasterKeyLocation: Sendable {
    public enum Source: Sendable, Equatable {
        case file(String)
        case environmentText
        /// <data-dir>/master.key, generated on first use.
        case managedFile(String)
    }

    /// What loading the keys did on its own that the person running it must know (the command prints it).
    public enum Notice: Sendable, Equatable, CustomStringConvertible {
        case generated(path: String)
        case finishedInterruptedRotation(path: String, keyID: String)

        public var description: String {
            switch self {
            case .generated(let path):
                "Generated a new master key at \(path) (readable by you only). Back it up: "
                    + "without it the credentials stored in this repository cannot be read."
            case .finishedInterruptedRotation(let path, let keyID):
                "Finished an interrupted key rotation: \(path) now holds master key \(keyID)."
            }
        }
    }

    public let source: Source
    public let dataDirectory: String
    /// The key's base64 text for ``Source/environmentText``; never described.
    private let keyText: String

    /// `keyFile` wins, then `QLIK_CONNECTOR_MASTER_KEY_FILE`, then `QLIK_CONNECTOR_MASTER_KEY` (the key's text) from
    /// `environment`, else the managed `master.key` in `dataDirectory`.
    public init(keyFile: String?, dataDirectory: String, environment: [String: String]) {
        self.dataDirectory = dataDirectory
        keyText = environment["QLIK_CONNECTOR_MASTER_KEY"] ?? ""
        if let keyFile {
            source = .file(keyFile)
        } else if let path = environment["QLIK_CONNECTOR_MASTER_KEY_FILE"], !path.isEmpty {
            source = .file(path)
        } else if !keyText.isEmpty {
            source = .environmentText
        } else {
            source = .managedFile((dataDirectory as NSString).appendingPathComponent("master.key"))
        }
    }

    /// The managed key written first during a rotation, until the repository has switched to it.
    public var nextKeyPath: String? {
        if case .managedFile(let path) = source { return path + ".next" }
        return nil
    }

    /// Where the key comes from, for messages (never the key).
    public var describe: String {
        switch source {
        case .file(let path), .managedFile(let path): "the master key file \(path)"
        case .environmentText: "QLIK_CONNECTOR_MASTER_KEY"
        }
    }

    /// Where a rotation keeps a copy of the managed key it replaced.
    public func retiredKeyPath(of keyID: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("master-\(keyID).retired.key")
    }

    /// Loads the configured key, generating the managed one when the
    /// repository has no key yet, and refuses a key that did not seal the
    /// repository's credentials. A rotation that stopped between the
    /// repository's switch and the key files' swap is finished here.
    public func keyring(agreeingWith repository: some MasterKeyStore, logger: Logger,
                        notify: (Notice) -> Void = { _ in }) async throws -> Keyring {
        var key: MasterKey
        switch source {
        case .file(let path):
            key = try MasterKeyFile.read(path)
        case .environmentText:
            key = try MasterKey(text: keyText)
        case .managedFile(let path):
            if FileManager.default.fileExists(atPath: path) {
                key = try MasterKeyFile.read(path)
            } else if try await repository.activeMasterKeyID() != nil {
                // Another command starting at the same moment (a second replica) may have generated the key between the
                // check above and this read: it links the file in place before it registers the key, so look again.
                guard FileManager.default.fileExists(atPath: path) else {
                    throw UseCaseError.failed("master_key_missing",
                                              "The master key file \(path) is missing, but this repository's credentials are sealed with a key; "
                                                  + "restore the key file (or point --master-key-file at it).")
                }
                key = try MasterKeyFile.read(path)
            } else {
                key = MasterKey.generate()
                if try MasterKeyFile.createUnlessPresent(key, at: path) {
                    logger.notice("generated a master key", metadata: ["path": "\(path)", "keyID": "\(key.id)"])
                    notify(.generated(path: path))
                } else {
                    // Another command generated it a moment ago: use theirs.
                    key = try MasterKeyFile.read(path)
                }
            }
        }
        let activeID = try await repository.activeMasterKeyID(registeringIfNone: key.id)
        if activeID == key.id { return Keyring(active: key) }
        if case .managedFile(let path) = source, let next = nextKeyPath, FileManager.default.fileExists(atPath: next) {
            let nextKey = try MasterKeyFile.read(next)
            if nextKey.id == activeID {
                try retire(key)
                try MasterKeyFile.replace(path, with: next)
                notify(.finishedInterruptedRotation(path: path, keyID: nextKey.id))
                return Keyring(active: nextKey)
            }
        }
        throw SecretsError.wrongActiveKey(repositoryKeyID: activeID, configuredKeyID: key.id)
    }

    /// The keys loaded as ``keyring(agreeingWith:logger:notify:)`` does, held so that they are read again when another
    /// process rotates them meanwhile (see ``reload(agreeingWith:logger:)``).
    public func liveKeyring(agreeingWith repository: some MasterKeyStore, logger: Logger,
                            notify: (Notice) -> Void = { _ in }) async throws -> LiveKeyring {
        LiveKeyring(try await keyring(agreeingWith: repository, logger: logger, notify: notify), reload: reload(agreeingWith: repository, logger: logger))
    }

    /// How a long-running process reads the keys again once another process (rotate-key, another replica) rotated them.
    public func reload(agreeingWith repository: some MasterKeyStore, logger: Logger) -> LiveKeyring.Reload {
        { held in
            let reloaded = try await reloaded(keeping: held, agreeingWith: repository)
            if reloaded.active.id != held.active.id {
                logger.notice("loaded the master key another process rotated to",
                              metadata: ["keyID": "\(reloaded.active.id)", "previousKeyID": "\(held.active.id)"])
            }
            return reloaded
        }
    }

    /// The keys as they are now, for a running process whose keys turned out stale (another process rotated them).
    /// Read only: it never generates, retires or moves a key file (the rotating process does, or the next command
    /// finishes an interrupted rotation); a rotation caught between its commit and its file swap is read from the staged key.
    public func reloaded(keeping held: Keyring, agreeingWith repository: some MasterKeyStore) async throws -> Keyring {
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
        case .environmentText: try MasterKey(text: keyText)
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
    func retire(_ key: MasterKey) throws {
        // False when an earlier rotation kept it already.
        _ = try MasterKeyFile.createUnlessPresent(key, at: retiredKeyPath(of: key.id))
    }
}
