/// Turns one field's bits in a run of records into symbol indices (-1 for
/// NULL). The hot loop of reading: one unaligned 64-bit load, a shift and a
/// mask per cell.
struct IndexUnpacker {
    let field: QVDFieldHeader
    let symbolCount: Int
    let recordSize: Int

    /// `records` holds `rows` records and at least 8 bytes of padding after them.
    func unpack(_ records: [UInt8], rows: Int, firstRecord: Int, tableOffset: UInt64) throws(QVDError) -> [Int32] {
        var out = [Int32](repeating: -1, count: rows)
        let width = field.bitWidth
        let byteStart = field.bitOffset >> 3
        let shift = UInt64(field.bitOffset & 7)
        let mask: UInt64 = width == 64 ? ~0 : (UInt64(1) << UInt64(width)) - 1
        let spills = Int(shift) + width > 64
        let bias = Int64(field.bias)
        let count = Int64(symbolCount)
        // qvdrs marks NULL as index == NoOfSymbols with Bias 0; Qlik uses negative indices.
        let countIsNull = bias == 0
        let recordSize = self.recordSize
        var bad: Int?
        records.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer { out in
                var position = byteStart
                for row in 0..<rows {
                    var bits = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)) >> shift
                    if spills { bits |= UInt64(raw[position + 8]) << (64 - shift) }
                    bits &= mask
                    position += recordSize
                    // Indices past Int64 are out of range whatever the bias.
                    guard bits <= UInt64(Int64.max) else { bad = row; return }
                    let index = Int64(bits) &+ bias
                    if index < 0 {
                        out[row] = -1
                    } else if index < count {
                        out[row] = Int32(truncatingIfNeeded: index)
                    } else if index == count && countIsNull {
                        out[row] = -1
                    } else {
                        bad = row
                        return
                    }
                }
            }
        }
        if let bad {
            throw QVDError(.indexOutOfRange,
                "Field '\(field.name)': record \(firstRecord + bad) points at symbol beyond the \(symbolCount) it has",
                at: tableOffset + UInt64(bad * recordSize))
        }
        return out
    }
}
