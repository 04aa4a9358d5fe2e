import Foundation
import Testing
@testable import Connector
import QlikCloudAPI
import QVD

@Suite("Typing cells for QVD")
struct FieldTypeTests {
    /// One page holding each (text, number) pair as a cell.
    static func page(_ cells: [(String, Double?)]) -> RowPage {
        RowPage(firstRow: 0, width: 1, cells: cells.map { EngineCell(text: $0.0, number: $0.1) })
    }

    @Test("the byte-level check agrees with rendering the number, for every type, on plain, padded, signed, tiny, huge and exponent texts")
    func agreesWithRendering() {
        var dice = SystemRandomNumberGenerator()
        var pairs: [(String, Double?)] = []
        var usual: [Int] = [] // whole numbers and amounts in cents, as Qlik's data mostly has
        for index in 0..<20_000 {
            let value: Double
            let kind = Int.random(in: 0..<5, using: &dice)
            if kind < 2 { usual.append(index) }
            switch kind {
            case 0: value = Double(Int.random(in: -1_000_000...1_000_000, using: &dice))
            case 1: value = (Double.random(in: -1e6...1e6, using: &dice) * 100).rounded() / 100
            case 2: value = Double.random(in: -1...1, using: &dice) * pow(10, Double(Int.random(in: -12...18, using: &dice)))
            case 3: value = Double(Int64.random(in: -(1 << 60)...(1 << 60), using: &dice))
            default: value = Double.random(in: 0...1, using: &dice)
            }
            pairs.append((QlikValue.render(value), value))
        }
        pairs += [("7.0", 7), ("-0", -0.0), ("0", 0), ("0", -0.0), ("0.10", 0.1), ("1e-05", 1e-5), ("0.00001", 1e-5), ("007", 7), ("7", 7.5),
                  ("1.5", 1.5), ("-1.5", -1.5), ("+1", 1), (".5", 0.5), ("5.", 5), ("1,5", 1.5), ("", 0), ("abc", nil), ("123456789012345", 123456789012345),
                  ("1234567890123456", 1234567890123456), ("0.1", 0.1), ("0.30000000000000004", 0.1 + 0.2), ("0.3", 0.1 + 0.2), ("9e15", 9e15), ("NaN", .nan)]
        let page = Self.page(pairs)
        // The check is worth having only if Qlik's usual texts pass it without rendering.
        let plain = usual.filter { index in pairs[index].1.map { number in page.withTextBytes(at: index) { FieldType.isShortestDecimal($0, of: number) } } ?? false }
        #expect(plain.count == usual.count, "\(plain.count) of \(usual.count) whole numbers and amounts recognised from their bytes")
        for type in [FieldType.integer, .double, .decimal, .text, .dual, .date] {
            for index in pairs.indices {
                let slow = type.qvdValue(page.cell(at: index))
                let fast = type.qvdValue(page, at: index)
                #expect(fast == slow || (slow.number?.isNaN == true && fast.number?.isNaN == true), "\(type) '\(pairs[index].0)' \(String(describing: pairs[index].1)): \(fast) vs \(slow)")
            }
        }
    }
}
