public import QlikCloudAPI
public import QVD
import Foundation

/// The connector's types for Qlik fields, chosen from the field's tags in
/// the data model (`GetTablesAndKeys`):
///
/// | tags | type | CSV | JSON | QVD |
/// |---|---|---|---|---|
/// | `$date` | date | the text shown | `"YYYY-MM-DD"` | dual (day serial, text) |
/// | `$timestamp` (without `$date`) | timestamp | the text shown | ISO 8601 UTC | dual (serial, text) |
/// | `$integer` | integer | the text shown | number | integer |
/// | `$numeric` | double | the text shown | number | double |
/// | `$text` | text | the text | string | text |
/// | anything else | dual | the text shown | `{"text","number"}` | dual |
///
/// Nulls are empty in CSV, `null` in JSON and NULL in QVD. A cell whose
/// value does not fit its field's type (a text in a numeric field) keeps its text.
public enum FieldType: String, Sendable, Codable, CaseIterable {
    case text, integer, decimal, double, date, timestamp, dual

    public init(tags: [String]) {
        let tags = Set(tags)
        if tags.contains("$date") { self = .date }
        else if tags.contains("$timestamp") { self = .timestamp }
        else if tags.contains("$integer") { self = .integer }
        else if tags.contains("$numeric") { self = .double }
        else if tags.contains("$text") || tags.contains("$ascii") { self = .text }
        else { self = .dual }
    }

    /// Days between Qlik's day zero (1899-12-30) and 1970-01-01.
    static let unixEpochSerial = 25_569.0

    public func qvdValue(_ cell: EngineCell) -> QlikValue {
        if cell.isNull { return .null }
        let text = cell.text ?? ""
        guard let number = cell.number else { return .text(text) }
        switch self {
        case .text: return .text(text)
        case .integer where number == number.rounded() && abs(number) < 9e15:
            return String(Int64(number)) == text ? .integer(Int64(number)) : .dual(number, text)
        case .double, .decimal: return QlikValue.render(number) == text ? .double(number) : .dual(number, text)
        default: return .dual(number, text)
        }
    }

    /// The QVD value of a page's cell, as ``qvdValue(_:)`` gives it, but
    /// deciding "a plain number" from the text's bytes: a read into QVD asks
    /// this once per distinct value, and rendering each number to compare
    /// its text was most of that work.
    public func qvdValue(_ page: RowPage, at index: Int) -> QlikValue {
        if self == .integer || self == .double || self == .decimal, let number = page.number(at: index),
           page.withTextBytes(at: index, { Self.isShortestDecimal($0, of: number) }) {
            if self != .integer { return .double(number) }
            if number == number.rounded(), abs(number) < 9e15 { return .integer(Int64(number)) }
        }
        return qvdValue(page.cell(at: index))
    }

    /// Whether `text` is exactly what ``QlikValue/render(_:)`` prints for
    /// `number`: a plain decimal (no exponent, no leading or trailing zeros,
    /// at most 15 significant digits) equal to it, in the range where Swift
    /// prints plain decimals. At most 15 digits round-trip uniquely, so such
    /// a text is the number's shortest form, which is what render prints.
    static func isShortestDecimal(_ text: UnsafeBufferPointer<UInt8>, of number: Double) -> Bool {
        guard number.isFinite, !text.isEmpty else { return false }
        var index = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        let integerStart = index
        var mantissa: UInt64 = 0
        var significant = 0
        while index < text.count, text[index] &- UInt8(ascii: "0") < 10 {
            mantissa = mantissa &* 10 &+ UInt64(text[index] &- UInt8(ascii: "0"))
            if mantissa > 0 { significant += 1 }
            index += 1
        }
        let integerDigits = index - integerStart
        guard integerDigits > 0, integerDigits == 1 || text[integerStart] != UInt8(ascii: "0") else { return false }
        var fraction = 0
        if index < text.count {
            guard text[index] == UInt8(ascii: "."), index + 1 < text.count, text[text.count - 1] != UInt8(ascii: "0") else { return false }
            index += 1
            while index < text.count, text[index] &- UInt8(ascii: "0") < 10 {
                mantissa = mantissa &* 10 &+ UInt64(text[index] &- UInt8(ascii: "0"))
                if mantissa > 0 { significant += 1 }
                fraction += 1
                index += 1
            }
            guard index == text.count else { return false }
        }
        guard significant <= 15, fraction < Self.powersOfTen.count, !(negative && mantissa == 0) else { return false }
        if fraction > 0 && (abs(number) < 1e-4 || abs(number) >= 1e15) { return false }
        // Exact: the mantissa and 10^fraction are both exact doubles (Clinger's fast path).
        let value = fraction == 0 ? Double(mantissa) : Double(mantissa) / Self.powersOfTen[fraction]
        return (negative ? -value : value) == number
    }

    private static let powersOfTen: [Double] = (0...15).map { exponent in (0..<exponent).reduce(1.0) { value, _ in value * 10 } }

    /// The cell as a JSON fragment.
    public func json(_ cell: EngineCell) -> String {
        if cell.isNull { return "null" }
        let text = cell.text ?? ""
        guard let number = cell.number, number.isFinite else { return Self.quote(text) }
        switch self {
        case .text: return Self.quote(text)
        case .integer where number == number.rounded() && abs(number) < 9e15: return String(Int64(number))
        case .integer, .double, .decimal: return QlikValue.render(number)
        case .date:
            return Self.quote(Self.isoDate(serial: number, withTime: false))
        case .timestamp:
            return Self.quote(Self.isoDate(serial: number, withTime: true))
        case .dual:
            return #"{"text":\#(Self.quote(text)),"number":\#(QlikValue.render(number))}"#
        }
    }

    static func isoDate(serial: Double, withTime: Bool) -> String {
        let date = Date(timeIntervalSince1970: ((serial - unixEpochSerial) * 86_400).rounded())
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = withTime ? [.withInternetDateTime] : [.withFullDate]
        return formatter.string(from: date)
    }

    static func quote(_ text: String) -> String { JSONString.quote(text) }
}
