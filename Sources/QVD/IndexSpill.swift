import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The symbol index of every cell written so far, row-major. A QVD's rows
/// come after all its symbols, so they cannot be written as they arrive;
/// holding them costs 4 bytes a cell, which on a large table is most of a
/// writer's memory. Past one chunk they go to an unlinked temporary file
/// (nothing is left behind however the process ends) and are read back a
/// chunk at a time when the file is packed.
final class IndexSpill {
    let width: Int
    private let directory: String
    private let chunkCells: Int
    private var pending: [Int32] = []
    private var descriptor: Int32 = -1
    private var spilledCells = 0

    init(width: Int, directory: String?, chunkCells: Int = 1 << 20) {
        self.width = width
        self.directory = directory ?? NSTemporaryDirectory()
        // Whole rows per chunk, so a chunk read back is whole rows too.
        self.chunkCells = max(width, chunkCells - chunkCells % max(width, 1))
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    var rows: Int { width == 0 ? 0 : (spilledCells + pending.count) / width }

    /// Adds whole rows of indices (`cells.count` a multiple of the width).
    func append(_ cells: UnsafeBufferPointer<Int32>) throws(QVDError) {
        var offset = 0
        while offset < cells.count {
            let take = min(chunkCells - pending.count, cells.count - offset)
            pending.append(contentsOf: UnsafeBufferPointer(rebasing: cells[offset..<(offset + take)]))
            offset += take
            if pending.count == chunkCells { try spill() }
        }
    }

    /// Hands the rows back in order, a chunk of whole rows at a time.
    func forEachChunk(_ body: (UnsafeBufferPointer<Int32>) throws(QVDError) -> Void) throws(QVDError) {
        guard descriptor >= 0 else {
            try pending.withUnsafeBufferPointer { cells throws(QVDError) in try body(cells) }
            return
        }
        if !pending.isEmpty { try spill() }
        // One buffer for every chunk read back, owned here and freed on the way out.
        let chunk = UnsafeMutableBufferPointer<Int32>.allocate(capacity: chunkCells)
        defer { chunk.deallocate() }
        var cellOffset = 0
        while cellOffset < spilledCells {
            let count = min(chunkCells, spilledCells - cellOffset)
            let cells = UnsafeMutableBufferPointer(rebasing: chunk[0..<count])
            try readFully(into: UnsafeMutableRawBufferPointer(cells), at: cellOffset * 4)
            try body(UnsafeBufferPointer(cells))
            cellOffset += count
        }
    }

    private func spill() throws(QVDError) {
        if descriptor < 0 { try openFile() }
        try pending.withUnsafeBufferPointer { cells throws(QVDError) in
            let raw = UnsafeRawBufferPointer(cells)
            guard let base = raw.baseAddress else { return }
            var written = 0
            while written < raw.count {
                let result = pwrite(descriptor, base + written, raw.count - written, off_t(spilledCells * 4 + written))
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { throw QVDError(.unwritableFile, "Cannot set rows aside in \(directory): \(String(cString: strerror(errno)))") }
                written += result
            }
        }
        spilledCells += pending.count
        pending.removeAll(keepingCapacity: true)
    }

    private func readFully(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(QVDError) {
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            let result = pread(descriptor, base + done, buffer.count - done, off_t(offset + done))
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw QVDError(.unwritableFile, "Cannot read back the rows set aside in \(directory): \(result == 0 ? "the file ended early" : String(cString: strerror(errno)))") }
            done += result
        }
    }

    private func openFile() throws(QVDError) {
        var template = Array((directory as NSString).appendingPathComponent(".qvd-rows-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { path in path.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else { throw QVDError(.unwritableFile, "Cannot create a file for rows in \(directory): \(String(cString: strerror(errno)))") }
        // Unlinked at once: the descriptor keeps it alive until the writer is gone.
        template.withUnsafeBufferPointer { path in if let base = path.baseAddress { _ = unlink(base) } }
        descriptor = fd
    }
}
