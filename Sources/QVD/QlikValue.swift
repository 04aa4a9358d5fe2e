/// One value of a Qlik table, as Qlik itself models it: a number, a text, or
/// both at once (a dual: dates, timestamps and formatted numbers carry their
/// number for arithmetic and their text for display), or null.
public enum QlikValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case double(Double)
    case text(String)
    case dual(Double, String)

    /// The number this value stands for, if any.
    public var number: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .double(let value), .dual(let value, _): value
        case .null, .text: nil
        }
    }

    /// The text a person sees: a dual's text, a number's plain rendering.
    public var displayText: String? {
        switch self {
        case .null: nil
        case .integer(let value): String(value)
        case .double(let value): QlikValue.render(value)
        case .text(let text), .dual(_, let text): text
        }
    }

    public var isNull: Bool { self == .null }

    /// Renders a double the way Qlik shows numbers without a format: integers
    /// without a decimal point, others with the shortest exact digits.
    public static func render(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

extension QlikValue {
    /// Qlik's day number: days since 1899-12-30, the epoch Qlik shares with spreadsheets.
    static let epochOffsetDays: Int64 = 25_569 // 1899-12-30 to 1970-01-01

    /// A date as Qlik stores it: a dual of its day number and its text.
    public static func date(year: Int, month: Int, day: Int) -> QlikValue? {
        guard let days = CivilDate.daysSince1970(year: year, month: month, day: day) else { return nil }
        let text = CivilDate.format(year: year, month: month, day: day)
        return .dual(Double(days + epochOffsetDays), text)
    }

    /// A timestamp as Qlik stores it: a dual of its fractional day number and its text.
    public static func timestamp(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> QlikValue? {
        guard let days = CivilDate.daysSince1970(year: year, month: month, day: day),
              (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second) else { return nil }
        let fraction = Double(hour * 3600 + minute * 60 + second) / 86_400
        let text = CivilDate.format(year: year, month: month, day: day)
            + " " + [hour, minute, second].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined(separator: ":")
        return .dual(Double(days + epochOffsetDays) + fraction, text)
    }
}

/// Proleptic Gregorian calendar arithmetic, without Foundation's time zones.
enum CivilDate {
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int64? {
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), (1...9999).contains(year) else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month), d = Int64(day)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func format(year: Int, month: Int, day: Int) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}
