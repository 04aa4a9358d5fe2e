public import Logging
public import Repository
import Secrets
import Foundation

/// Re-seals every stored credential under a new master key in one transaction.
/// With the managed key file, the new key is staged beside it (`master.key.next`)
/// before the repository switches, and swapped into place after, the old one
/// kept as a retired copy; a stop between the two is finished when the keys are
/// next loaded (``MasterKeyLocation/keyring(agreeingWith:logger:notify:)``).
public enum KeyRotation {
    public struct Outcome: Sendable, Equatable {
        public let resealed: Int
        public let keyID: String
        public let previousKeyID: String
        /// Where the new key is: the file given, or the managed key file it was swapped into.
        public let keyFile: String?
        /// The copy of the replaced managed key, kept for backups that still need it.
        public let retiredKeyFile: String?
    }

    /// Rotates to the key in `newKeyFile`, or to a new generated one when the key is the managed file.
    public static func rotate(_ location: MasterKeyLocation, repository: some MasterKeyStore, newKeyFile: String?, by actor: AuditActor,
                              logger: Logger, notify: (MasterKeyLocation.Notice) -> Void = { _ in }) async throws -> Outcome {
        // One rotation at a time per data folder: a second would delete the first's staged key.
        let lockPath = (location.dataDirectory as NSString).appendingPathComponent("rotate-key.lock")
        let lock = try FileLock(path: lockPath, busy: "Another rotate-key is running on this data folder (\(lockPath) is locked); wait for it to finish.")
        defer { lock.release() }
        let current = try await location.keyring(agreeingWith: repository, logger: logger, notify: notify)
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
            throw UseCaseError.invalid("new-key-file", "The master key comes from \(location.describe); give the new one with --new-key-file PATH.")
        }
        guard newKey.id != current.active.id else {
            throw UseCaseError.invalid("new-key-file", "The new master key is the one already in use (\(newKey.id)).")
        }
        let next = Keyring(active: newKey, others: [current.active])
        let count: Int
        do {
            count = try await repository.rotateMasterKey(to: newKey.id, by: actor) { slot, sealed in try next.reseal(sealed, for: slot) }
        } catch {
            if let stagedPath {
                do { try FileManager.default.removeItem(atPath: stagedPath) } catch {
                    logger.warning("could not remove the unused staged key", metadata: ["path": "\(stagedPath)"])
                }
            }
            throw error
        }
        guard let stagedPath, case .managedFile(let path) = location.source else {
            return Outcome(resealed: count, keyID: newKey.id, previousKeyID: current.active.id, keyFile: newKeyFile, retiredKeyFile: nil)
        }
        try location.retire(current.active)
        try MasterKeyFile.replace(path, with: stagedPath)
        return Outcome(resealed: count, keyID: newKey.id, previousKeyID: current.active.id, keyFile: path,
                       retiredKeyFile: location.retiredKeyPath(of: current.active.id))
    }
}
