import Foundation
#if !FUZZING
import QlikCloudAPI
#endif

/// The same answer read by Foundation's JSONSerialization and the page shape
/// Qlik documents (`result.qDataPages[].qMatrix[][]` of NxCell, or `error`),
/// with the rules the page parser states: qText a string, qNum a number or a
/// string ("NaN"), qElemNumber a number (-2 is NULL, an element number only
/// when it is an Int32), qIsNull a boolean, any other key skipped; an error's
/// code an integer, its parameter and message strings.
struct ReferenceAnswer {
    struct Cell: CustomStringConvertible {
        let text: [UInt8]?
        let number: Double?
        /// Foundation keeps a long number as a Decimal (38 digits) and so
        /// rounds it twice: such a number is allowed one unit in the last place.
        let approximate: Bool
        let element: Int32

        static let null = Cell(text: nil, number: nil, approximate: false, element: -2)

        func matches(_ cell: ParsedAnswer.Cell) -> Bool {
            guard cell.text == text, cell.element == element else { return false }
            guard let number, let bits = cell.numberBits else { return number == nil && cell.numberBits == nil }
            let parsed = Double(bitPattern: bits)
            return parsed == number || (approximate && abs(parsed - number) <= number.ulp)
        }

        var description: String {
            let shownText = text.map { String(decoding: $0, as: UTF8.self).debugDescription } ?? "none"
            let shownNumber = number.map { "\($0)" } ?? "none"
            return "text \(shownText), number \(shownNumber), element \(element)"
        }
    }

    enum Verdict {
        case accepted(rows: [[Cell]], failure: EngineError?)
        case rejected(String)
    }

    struct Violation: Error {
        let reason: String
    }

    let verdict: Verdict

    /// The width a read would ask: the first row's cell count (1 when there is no row, or it is empty).
    var firstRowWidth: Int? {
        guard case .accepted(let rows, _) = verdict else { return nil }
        return max(1, rows.first?.count ?? 1)
    }

    /// Nil when the bytes are not a document both readers must agree on: not
    /// JSON to Foundation, not UTF-8 text (Foundation also reads UTF-16 and a
    /// byte-order mark; the engine sends neither), an object with a repeated
    /// key (JSON leaves which one counts to the reader) or a key spelled with an
    /// escape (the parser compares keys as raw bytes, as the engine writes them),
    /// or a trailing comma.
    init?(_ input: [UInt8]) {
        guard !input.contains(0), !input.starts(with: [0xEF, 0xBB, 0xBF]), String(bytes: input, encoding: .utf8) != nil,
              !Self.isBeyondStrictJSON(input),
              let document = try? JSONSerialization.jsonObject(with: Data(input)) else { return nil }
        do {
            verdict = try Self.read(document)
        } catch {
            verdict = .rejected(error.reason)
        }
    }

    private static func read(_ document: Any) throws(Violation) -> Verdict {
        guard let answer = document as? [String: Any] else { throw Violation(reason: "the answer is not an object") }
        var failure: EngineError?
        if let error = answer["error"] {
            failure = try engineError(error)
        }
        var rows: [[Cell]] = []
        if let result = answer["result"] {
            guard let result = result as? [String: Any] else { throw Violation(reason: "result is not an object") }
            if let pages = result["qDataPages"] {
                for page in try array(pages, "qDataPages") {
                    guard let page = page as? [String: Any] else { throw Violation(reason: "a data page is not an object") }
                    guard let matrix = page["qMatrix"] else { continue }
                    for row in try array(matrix, "qMatrix") {
                        rows.append(try array(row, "a qMatrix row").map(cell))
                    }
                }
            }
        }
        return .accepted(rows: rows, failure: failure)
    }

    private static func array(_ value: Any, _ what: String) throws(Violation) -> [Any] {
        guard let array = value as? [Any] else { throw Violation(reason: "\(what) is not an array") }
        return array
    }

    private static func cell(_ value: Any) throws(Violation) -> Cell {
        guard let cell = value as? [String: Any] else { throw Violation(reason: "a cell is not an object") }
        var text: [UInt8]?
        if let value = cell["qText"] {
            guard let string = value as? String else { throw Violation(reason: "qText is not a string") }
            text = Array(string.utf8)
        }
        var number: (value: Double, approximate: Bool)?
        if let value = cell["qNum"], !(value is String) {
            guard let read = Self.number(value) else { throw Violation(reason: "qNum is neither a number nor a string") }
            number = read
        }
        var element: Int32 = -1
        var isNull = false
        if let value = cell["qElemNumber"] {
            guard let read = Self.number(value) else { throw Violation(reason: "qElemNumber is not a number") }
            element = Int32(exactly: read.value) ?? -1
            isNull = read.value == -2
        }
        if let value = cell["qIsNull"] {
            guard let flag = boolean(value) else { throw Violation(reason: "qIsNull is not a boolean") }
            isNull = isNull || flag
        }
        if isNull || (text == nil && number == nil) { return .null }
        return Cell(text: text, number: number?.value, approximate: number?.approximate ?? false, element: element)
    }

    private static func engineError(_ value: Any) throws(Violation) -> EngineError {
        guard let error = value as? [String: Any] else { throw Violation(reason: "error is not an object") }
        var code = 0
        if let value = error["code"] {
            guard let read = number(value), read.value == read.value.rounded(), abs(read.value) < 9e15 else {
                throw Violation(reason: "the error code is not an integer")
            }
            code = Int(read.value)
        }
        var texts: [String] = []
        for key in ["parameter", "message"] {
            guard let value = error[key] else { texts.append(""); continue }
            guard let string = value as? String else { throw Violation(reason: "the error's \(key) is not a string") }
            texts.append(string)
        }
        return .rpc(code: code, parameter: texts[0], message: texts[1], method: "GetHyperCubeData")
    }

    /// A JSON number (not a boolean, which Foundation also gives as NSNumber).
    private static func number(_ value: Any) -> (value: Double, approximate: Bool)? {
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        if let decimal = number as? NSDecimalNumber { return (Double(decimal.stringValue) ?? decimal.doubleValue, true) }
        return (number.doubleValue, false)
    }

    private static func boolean(_ value: Any) -> Bool? {
        guard let number = value as? NSNumber, String(cString: number.objCType) == "c" else { return nil }
        return number.boolValue
    }

    /// Whether some object repeats a key or spells one with an escape, or a
    /// comma trails (Foundation reads `[1,]`; JSON and the parser do not). Run
    /// on input Foundation accepted, so strings and brackets are well formed.
    static func isBeyondStrictJSON(_ bytes: [UInt8]) -> Bool {
        var objects: [Set<[UInt8]>?] = [] // nil: an array
        var expectingKey = false
        var previous: UInt8 = 0 // the last byte outside strings and whitespace
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"): objects.append([]); expectingKey = true
            case UInt8(ascii: "["): objects.append(nil); expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if previous == UInt8(ascii: ",") { return true }
                _ = objects.popLast()
                expectingKey = false
            case UInt8(ascii: ","): expectingKey = objects.last.map { $0 != nil } ?? false
            case UInt8(ascii: "\""):
                var end = index + 1
                var escaped = false
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                    if bytes[end] == UInt8(ascii: "\\") { escaped = true; end += 1 }
                    end += 1
                }
                if expectingKey, let last = objects.indices.last, objects[last] != nil {
                    if escaped || objects[last]?.insert(Array(bytes[(index + 1)..<min(end, bytes.count)])).inserted == false { return true }
                    expectingKey = false
                }
                index = end
            default: break
            }
            if byte != 0x20, byte != 0x0A, byte != 0x0D, byte != 0x09 { previous = byte }
            index += 1
        }
        return false
    }
}
