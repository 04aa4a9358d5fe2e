/// The symbol index of every cell written so far, row-major. A QVD's rows
/// come after all its symbols, so they cannot be written as they arrive;
/// holding them costs 4 bytes a cell, which on a large table is most of a
/// writer's memory. Past one chunk they go to a ``SpillFile`` and are read
/// back a chunk at a time when the file is packed.
final class IndexSpill {
    let width: Int
    private let chunkCells: Int
    private var pending: [Int32] = []
    private let file: SpillFile

    init(width: Int, directory: String?, chunkCells: Int = 1 << 20) {
        self.width = width
        file = SpillFile(directory: directory)
        // Whole rows per chunk, so a chunk read back is whole rows too.
        self.chunkCells = max(width, chunkCells - chunkCells % max(width, 1))
    }

    var rows: Int { width == 0 ? 0 : (file.count / 4 + pending.count) / width }

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
        guard file.count > 0 else {
            try pending.withUnsafeBufferPointer { cells throws(QVDError) in try body(cells) }
            return
        }
        if !pending.isEmpty { try spill() }
        try file.forEachChunk(size: chunkCells * 4) { bytes throws(QVDError) in
            // The chunk buffer is 8-aligned and holds whole Int32s.
            let cells = UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: Int32.self), count: bytes.count / 4)
            try body(cells)
        }
    }

    private func spill() throws(QVDError) {
        let failure = pending.withUnsafeBufferPointer { file.append(UnsafeRawBufferPointer($0)) }
        if let failure { throw failure }
        pending.removeAll(keepingCapacity: true)
    }
}
