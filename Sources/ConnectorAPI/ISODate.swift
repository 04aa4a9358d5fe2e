public import Foundation
public import OpenAPIRuntime

/// Dates as the API writes them: ISO 8601 in UTC to the second
/// (`2026-11-29T13:52:18Z`), by integer arithmetic. Foundation's ISO 8601
/// formatter took most of a list page's encoding time on Linux.
public enum ISODate {
    public static func string(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Howard Hinnant's civil-from-days.
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        var text = ""
        text.reserveCapacity(20)
        func pad(_ value: Int64, _ width: Int) {
            let digits = String(value)
            if digits.count < width { text += String(repeating: "0", count: width - digits.count) }
            text += digits
        }
        pad(year, 4); text += "-"; pad(month, 2); text += "-"; pad(day, 2); text += "T"
        pad(secondOfDay / 3600, 2); text += ":"; pad(secondOfDay / 60 % 60, 2); text += ":"; pad(secondOfDay % 60, 2); text += "Z"
        return text
    }
}

/// The dates of the generated client and server (the agent's routes), written as ``ISODate`` writes them and read with
/// swift-foundation's ISO 8601 parser. OpenAPIRuntime's own transcoder uses Foundation's ISO8601DateFormatter on Linux:
/// an ICU formatter behind one lock, which cost the service and every agent more than the rest of a log line's decoding.
public struct APIDateTranscoder: DateTranscoder {
    public init() {}

    public func encode(_ date: Date) throws -> String { ISODate.string(date) }

    public func decode(_ text: String) throws -> Date {
        if let date = try? Date(text, strategy: Self.seconds) { return date }
        if let date = try? Date(text, strategy: Self.fractions) { return date }
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "'\(text)' is not an ISO 8601 date and time, such as 2026-12-06T14:05:00Z."))
    }

    private static let seconds = Date.ISO8601FormatStyle()
    private static let fractions = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
