import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Master keys kept as files: read them (refusing files others can read),
/// and create new ones with owner-only permissions, whole or not at all.
public enum MasterKeyFile {
    public static func read(_ path: String) throws(SecretsError) -> MasterKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .keyFileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        let mode = info.st_mode & 0o777
        if mode & 0o077 != 0 {
            throw .keyFileTooOpen(path: path, permissions: String(mode, radix: 8))
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .keyFileUnreadable(path: path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .keyFileUnreadable(path: path, reason: "it is not UTF-8 text")
        }
        return try MasterKey(text: text)
    }

    /// Writes `key` to `path`, readable by its owner only. The key is written
    /// and synced under a temporary name, then linked into place, so a reader
    /// never sees half a key; an existing key is never overwritten.
    public static func create(_ key: MasterKey, at path: String) throws(SecretsError) {
        guard try createUnlessPresent(key, at: path) else { throw .keyFileExists(path: path) }
    }

    /// Like ``create(_:at:)``, but returns false, writing nothing, when a key
    /// file is already there (another process may have just written it).
    public static func createUnlessPresent(_ key: MasterKey, at path: String) throws(SecretsError) -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .keyFileUnwritable(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
        }
        let temporary = path + ".tmp-\(UUID().uuidString)"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw .keyFileUnwritable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { unlink(temporary) }
        let bytes = Array((key.text + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced else {
            throw .keyFileUnwritable(path: path, reason: "could not write it whole")
        }
        guard link(temporary, path) == 0 else {
            if errno == EEXIST { return false }
            throw .keyFileUnwritable(path: path, reason: String(cString: strerror(errno)))
        }
        syncDirectory(directory)
        return true
    }

    /// Atomically puts the key file at `source` in the place of `destination`.
    public static func replace(_ destination: String, with source: String) throws(SecretsError) {
        guard rename(source, destination) == 0 else {
            throw .keyFileUnwritable(path: destination, reason: String(cString: strerror(errno)))
        }
        syncDirectory((destination as NSString).deletingLastPathComponent)
    }

    /// Makes a rename or link durable: it lives in the folder's entry.
    private static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}
