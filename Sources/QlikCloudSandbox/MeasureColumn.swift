import Foundation
import QVD

/// One measure of a hypercube, its value on each cube row serialized once as
/// an NxCell (element 0, state L, as the engine shows measure cells), so pages
/// copy them as they copy dimension cells.
final class MeasureColumn: @unchecked Sendable {
    /// Allocated once and never written after init: read by address from pages.
    let cells: UnsafeMutableRawBufferPointer
    /// Where each cube row's cell starts in `cells`; one more entry than rows.
    let starts: [Int]
    let longestCell: Int
    let minimum: Double?
    let maximum: Double?

    init(_ values: [QlikValue]) {
        var json = JSONWriter(capacity: 64 * max(1, values.count))
        var starts: [Int] = []
        var longest = 0
        for value in values {
            let start = json.buffer.writerIndex
            starts.append(start)
            json.raw(#"{"qText":"#)
            json.write(string: value.isNull ? "-" : value.displayText ?? "")
            json.raw(#","qNum":"#)
            if let number = value.number, number.isFinite { json.write(number: number) } else { json.raw(#""NaN""#) }
            json.raw(value.isNull ? #","qElemNumber":0,"qState":"L","qIsNull":true}"# : #","qElemNumber":0,"qState":"L"}"#)
            longest = max(longest, json.buffer.writerIndex - start)
        }
        starts.append(json.buffer.writerIndex)
        let numbers = values.compactMap(\.number).filter(\.isFinite)
        minimum = numbers.min()
        maximum = numbers.max()
        longestCell = longest
        self.starts = starts
        cells = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, json.buffer.readableBytes), alignment: 1)
        json.buffer.withUnsafeReadableBytes { cells.copyMemory(from: $0) }
    }

    deinit { cells.deallocate() }
}
