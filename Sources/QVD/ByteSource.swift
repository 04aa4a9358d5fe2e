import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random access to a QVD's bytes: a file read with pread (64-bit offsets,
/// never mapped or loaded whole), or bytes already in memory.
public protocol QVDByteSource: Sendable {
    var size: UInt64 { get }
    /// Fills `buffer` from `offset`; the range is within `size`.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(QVDError)
}

extension QVDByteSource {
    /// Reads exactly `count` bytes at `offset`, or reports the file as truncated.
    func bytes(at offset: UInt64, count: UInt64, what: String) throws(QVDError) -> [UInt8] {
        guard offset <= size, count <= size - offset else {
            throw QVDError(.truncated, "The QVD file ends before \(what) (\(count) bytes needed, \(size > offset ? size - offset : 0) left)", at: offset)
        }
        guard count < UInt64(Int.max) else { throw QVDError(.outOfBounds, "\(what) is too large", at: offset) }
        var result = [UInt8](repeating: 0, count: Int(count))
        // withUnsafeMutableBytes rethrows untyped errors: carry the typed one out by hand.
        var failure: QVDError?
        result.withUnsafeMutableBytes { buffer in
            do throws(QVDError) { try read(into: buffer, at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
        return result
    }
}

/// A file on disk, read with positioned reads so several readers may share it.
public final class QVDFile: QVDByteSource {
    private let descriptor: Int32
    public let path: String
    public let size: UInt64

    public init(path: String) throws(QVDError) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw QVDError(.unreadableFile, "Cannot open \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw QVDError(.unreadableFile, "Cannot read \(path): \(reason)")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw QVDError(.unreadableFile, "\(path) is not a regular file")
        }
        size = UInt64(info.st_size)
    }

    deinit { close(descriptor) }

    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(QVDError) {
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            let result = pread(descriptor, base + done, buffer.count - done, off_t(offset) + off_t(done))
            if result < 0 {
                if errno == EINTR { continue }
                throw QVDError(.unreadableFile, "Reading \(path) failed: \(String(cString: strerror(errno)))", at: offset + UInt64(done))
            }
            if result == 0 {
                throw QVDError(.truncated, "\(path) ended early (it shrank while being read?)", at: offset + UInt64(done))
            }
            done += result
        }
    }
}

/// QVD bytes held in memory: for tests, fuzzing and small files.
public struct QVDMemory: QVDByteSource {
    public let data: [UInt8]
    public var size: UInt64 { UInt64(data.count) }

    public init(_ data: [UInt8]) { self.data = data }

    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(QVDError) {
        guard offset <= size, UInt64(buffer.count) <= size - offset else {
            throw QVDError(.truncated, "read past the end", at: offset)
        }
        data.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[Int(offset)..<Int(offset) + buffer.count]))
        }
    }
}
