import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Master keys kept as files: read them (refusing files others can read),
/// and write new ones with owner-only permissions, atomically.
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
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .keyFileUnreadable(path: path, reason: "not UTF-8 text")
        }
        return try MasterKey(text: text)
    }

    /// Writes `key` to `path`, readable by its owner only. Refuses to
    /// overwrite: losing a key loses every credential it sealed.
    public static func create(_ key: MasterKey, at path: String) throws(SecretsError) {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .keyFileUnreadable(path: path, reason: "cannot create its folder \(directory)")
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw .keyFileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let bytes = Array((key.text + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            unlink(path)
            throw .keyFileUnreadable(path: path, reason: "could not write it whole")
        }
    }
}
