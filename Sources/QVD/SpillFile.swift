import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes set aside on disk while a QVD is written and read back, in order,
/// when it is finished. The file is unlinked as soon as it is created: the
/// descriptor keeps it alive until the writer is gone, and nothing is left
/// in the folder however the process ends.
final class SpillFile {
    private let directory: String
    private var descriptor: Int32 = -1
    private(set) var count = 0

    init(directory: String?) {
        self.directory = directory ?? NSTemporaryDirectory()
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Adds `bytes`, or answers why it could not. (Returned, not thrown: Swift
    /// 6.3's optimizer crashes on a typed throw inside the closures that hand
    /// an array's memory to this.)
    func append(_ bytes: UnsafeRawBufferPointer) -> QVDError? {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return nil }
        if descriptor < 0, let failure = open() { return failure }
        var written = 0
        while written < bytes.count {
            let result = pwrite(descriptor, base + written, bytes.count - written, off_t(count + written))
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return QVDError(.unwritableFile, "Cannot set data aside in \(directory): \(String(cString: strerror(errno)))") }
            written += result
        }
        count += bytes.count
        return nil
    }

    /// Reads `buffer.count` bytes from `offset`.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(QVDError) {
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            let result = pread(descriptor, base + done, buffer.count - done, off_t(offset + done))
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                throw QVDError(.unwritableFile, "Cannot read back the data set aside in \(directory): \(result == 0 ? "the file ended early" : String(cString: strerror(errno)))")
            }
            done += result
        }
    }

    /// Everything set aside, in order, `chunkSize` bytes at a time.
    func forEachChunk(size chunkSize: Int, _ body: (UnsafeRawBufferPointer) throws(QVDError) -> Void) throws(QVDError) {
        guard count > 0 else { return }
        // One buffer for every chunk, owned here and freed on the way out.
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: min(chunkSize, count), alignment: 8)
        defer { chunk.deallocate() }
        var offset = 0
        while offset < count {
            let part = UnsafeMutableRawBufferPointer(rebasing: chunk[0..<min(chunk.count, count - offset)])
            try read(into: part, at: offset)
            try body(UnsafeRawBufferPointer(part))
            offset += part.count
        }
    }

    private func open() -> QVDError? {
        var template = Array((directory as NSString).appendingPathComponent(".qvd-spill-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { path in path.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else { return QVDError(.unwritableFile, "Cannot create a file to set data aside in \(directory): \(String(cString: strerror(errno)))") }
        template.withUnsafeBufferPointer { path in if let base = path.baseAddress { _ = unlink(base) } }
        descriptor = fd
        return nil
    }
}
