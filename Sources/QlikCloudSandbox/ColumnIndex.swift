import Foundation
import QVD

/// One field's values as the engine indexes them: each row's element
/// number (-2 for null) and each distinct value's cell, serialized once.
/// Built once per field and data model (``Tenant`` keeps them), like the
/// engine's symbol tables, so a new cube costs no rehashing.
final class ColumnIndex: @unchecked Sendable {
    let elements: [Int32]
    /// Allocated once and never written after init, so sharing it between cubes and threads is safe;
    /// cubes read it by address, without copying.
    let cells: UnsafeMutableRawBufferPointer
    /// Where each element's cell starts in `cells`; one more entry than elements.
    let starts: [Int]
    var cardinal: Int { starts.count - 1 }

    init(_ column: [QlikValue]) {
        var cells = JSONWriter(capacity: 1 << 16)
        var numbers: [QlikValue: Int32] = [:]
        var starts: [Int] = []
        var elements: [Int32] = []
        elements.reserveCapacity(column.count)
        for value in column {
            if value.isNull {
                elements.append(-2)
            } else if let number = numbers[value] {
                elements.append(number)
            } else {
                let number = Int32(numbers.count)
                numbers[value] = number
                starts.append(cells.buffer.writerIndex)
                Self.writeCell(value, element: number, into: &cells)
                elements.append(number)
            }
        }
        starts.append(cells.buffer.writerIndex)
        self.elements = elements
        self.starts = starts
        self.cells = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, cells.buffer.readableBytes), alignment: 1)
        cells.buffer.withUnsafeReadableBytes { self.cells.copyMemory(from: $0) }
    }

    deinit { cells.deallocate() }

    private static func writeCell(_ value: QlikValue, element: Int32, into json: inout JSONWriter) {
        json.raw(#"{"qText":"#)
        json.write(string: value.displayText ?? "")
        json.raw(#","qNum":"#)
        switch value {
        case .integer(let integer): json.write(integer: integer)
        default: if let number = value.number { json.write(number: number) } else { json.raw(#""NaN""#) }
        }
        json.raw(#","qElemNumber":"#)
        json.write(integer: Int64(element))
        json.raw(#","qState":"O"}"#)
    }
}
