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
