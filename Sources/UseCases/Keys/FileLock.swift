import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock on a file, held until released or the process
/// ends (the kernel drops it then, so a crash never leaves it stuck).
final class FileLock {
    private var descriptor: Int32

    /// `busy`: what to tell the person when another process holds the lock.
    init(path: String, busy: String) throws(UseCaseError) {
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw UseCaseError.failed("lock_failed", "Cannot create the folder of the lock file \(path): \(error.localizedDescription).")
        }
        descriptor = open(path, O_RDWR | O_CREAT, 0o600)
        guard descriptor >= 0 else {
            throw UseCaseError.failed("lock_failed", "Cannot open the lock file \(path): \(String(cString: strerror(errno))).")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            // Marked released before throwing: deinit runs for a class whose init throws once every property is set, and a
            // second close would close whatever file another thread of this process has opened under the same number since.
            release()
            throw UseCaseError.conflict("locked", busy)
        }
    }

    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
