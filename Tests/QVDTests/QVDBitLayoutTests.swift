import Foundation
import Testing
@testable import QVD

/// Hand-made files, packed here bit by bit without the project's writer, so
/// the reader is checked against the format rather than against itself.
@Suite("QVD bit layouts and offsets")
struct QVDBitLayoutTests {
    /// Sets `width` bits of `value` at `bitOffset` of a little-endian record.
    static func put(_ value: UInt64, width: Int, at bitOffset: Int, in record: inout [UInt8]) {
        for bit in 0..<width where (value >> UInt64(bit)) & 1 == 1 {
            let position = bitOffset + bit
            record[position / 8] |= UInt8(1 << (position % 8))
        }
    }

    static func integerSymbols(_ count: Int) -> [UInt8] {
        (0..<count).flatMap { value -> [UInt8] in [1] + withUnsafeBytes(of: Int32(value * 10).littleEndian, Array.init) }
    }

    @Test("any BitWidth from 0 to 64 at any bit offset, in records up to 64 bytes", arguments: [0, 1, 7, 8, 9, 31, 32, 33, 63, 64])
    func widths(_ width: Int) throws {
        for bitOffset in [0, 3, 7, 13, 64 * 8 - 64 - 1] {
            let recordByteSize = 64
            let symbolCount = width == 0 ? 1 : min(4, 1 << min(width, 2))
            let symbols = Self.integerSymbols(symbolCount)
            let rows = 20
            var index: [UInt8] = []
            var expected: [[QlikValue]] = []
            for row in 0..<rows {
                var record = [UInt8](repeating: 0, count: recordByteSize)
                let symbol = width == 0 ? 0 : row % symbolCount
                Self.put(UInt64(symbol), width: width, at: bitOffset, in: &record)
                // Noise in every other bit must not leak into the field.
                for bit in 0..<(recordByteSize * 8) where bit < bitOffset || bit >= bitOffset + width {
                    record[bit / 8] |= UInt8(1 << (bit % 8))
                }
                index += record
                expected.append([.integer(Int64(symbol * 10))])
            }
            let header = QVDHeader(tableName: "W", fields: [QVDFieldHeader(name: "F", bitOffset: bitOffset, bitWidth: width, bias: 0,
                                                                           numberOfSymbols: symbolCount, offset: 0, length: UInt64(symbols.count))],
                                   recordByteSize: recordByteSize, numberOfRecords: rows, indexOffset: UInt64(symbols.count),
                                   indexLength: UInt64(rows * recordByteSize))
            let bytes = Array(QVDHeaderWriter.xml(header).utf8) + [0x0D, 0x0A, 0] + symbols + index
            var iterator = try QVDReader(source: QVDMemory(bytes)).batches(batchSize: 6)
            var read: [[QlikValue]] = []
            while let batch = try iterator.next() { read += batch.rows }
            #expect(read == expected, "width \(width) at bit \(bitOffset)")
        }
    }

    @Test("a 64-bit raw index past Int64 is refused, not wrapped")
    func hugeIndex() throws {
        var record = [UInt8](repeating: 0xFF, count: 8)
        record[0] = 0xFF
        let symbols = Self.integerSymbols(1)
        let header = QVDHeader(tableName: "W", fields: [QVDFieldHeader(name: "F", bitOffset: 0, bitWidth: 64, bias: 0, numberOfSymbols: 1,
                                                                       offset: 0, length: UInt64(symbols.count))],
                               recordByteSize: 8, numberOfRecords: 1, indexOffset: UInt64(symbols.count), indexLength: 8)
        let bytes = Array(QVDHeaderWriter.xml(header).utf8) + [0x0D, 0x0A, 0] + symbols + record
        let error = #expect(throws: QVDError.self) { try Specimen.readAll(bytes) }
        #expect(error?.kind == .indexOutOfRange)
    }

    @Test("offsets beyond 4 GiB are read with 64-bit positions (a sparse file)")
    func beyondFourGiB() throws {
        let path = NSTemporaryDirectory() + "qvd-sparse-\(UUID().uuidString).qvd"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let symbols = Self.integerSymbols(3)
        let indexOffset: UInt64 = 4_500_000_000
        let header = QVDHeader(tableName: "Sparse", fields: [QVDFieldHeader(name: "F", bitOffset: 0, bitWidth: 2, bias: 0, numberOfSymbols: 3,
                                                                            offset: 0, length: UInt64(symbols.count))],
                               recordByteSize: 1, numberOfRecords: 4, indexOffset: indexOffset, indexLength: 4)
        let head = Array(QVDHeaderWriter.xml(header).utf8) + [0x0D, 0x0A, 0] + symbols
        #expect(FileManager.default.createFile(atPath: path, contents: Data(head)))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        // The gap is never written: the file system keeps it as a hole.
        try handle.seek(toOffset: UInt64(head.count - symbols.count) + indexOffset)
        try handle.write(contentsOf: Data([2, 0, 1, 2]))
        try handle.close()
        var iterator = try QVDReader(path: path).batches()
        #expect(try iterator.next()?.rows == [[.integer(20)], [.integer(0)], [.integer(10)], [.integer(20)]])
    }
}
