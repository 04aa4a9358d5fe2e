/// How a CSV cell becomes a Qlik value when a CSV is turned into a QVD:
///
/// | cell | value |
/// |---|---|
/// | empty | NULL |
/// | `-12`, `0`, `42` (no leading zeros, fits 64 bits) | integer |
/// | `3.25`, `-0.5` | double |
/// | `1.50`, `-1e6`, `.5` | dual of the double and the text as written |
/// | `2024-01-31` | date: dual of Qlik's day number and the text |
/// | `2024-01-31 12:30:00` or `2024-01-31T12:30:00` | timestamp: dual of the fractional day number and the text |
/// | anything else, `007` and `+1` among them | text, exactly as written |
public enum CSVValueParser {
    public static func value(_ cell: String) -> QlikValue {
        if cell.isEmpty { return .null }
        let utf8 = Array(cell.utf8)
        if let integer = integer(utf8) { return .integer(integer) }
        if let date = date(utf8) { return date }
        if isDecimal(utf8), let double = Double(cell), double.isFinite {
            // As Qlik loads a CSV: a number written other than its plain form keeps its text.
            return QlikValue.render(double) == cell ? .double(double) : .dual(double, cell)
        }
        return .text(cell)
    }

    private static func integer(_ bytes: [UInt8]) -> Int64? {
        let digits = bytes.first == 0x2D ? bytes.dropFirst() : bytes[...]
        guard !digits.isEmpty, digits.count <= 19, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        // Leading zeros mean an identifier ("007"), not a number.
        if digits.count > 1 && digits.first == 0x30 { return nil }
        if bytes.first == 0x2D && digits == [0x30] { return nil }
        return Int64(String(decoding: bytes, as: UTF8.self))
    }

    /// A plain decimal: digits with one point and an optional exponent; no
    /// "inf", "nan", hex floats or leading zeros before other digits.
    private static func isDecimal(_ bytes: [UInt8]) -> Bool {
        var index = bytes.first == 0x2D ? 1 : 0
        var mantissa = 0, point = false
        while index < bytes.count, (bytes[index] >= 0x30 && bytes[index] <= 0x39) || bytes[index] == 0x2E {
            if bytes[index] == 0x2E { if point { return false }; point = true } else { mantissa += 1 }
            index += 1
        }
        guard mantissa > 0 else { return false }
        let start = bytes.first == 0x2D ? 1 : 0
        if bytes.count > start + 1, bytes[start] == 0x30, bytes[start + 1] != 0x2E { return false }
        if index < bytes.count {
            guard bytes[index] == 0x65 || bytes[index] == 0x45 else { return false }
            index += 1
            if index < bytes.count, bytes[index] == 0x2B || bytes[index] == 0x2D { index += 1 }
            guard index < bytes.count else { return false }
            while index < bytes.count {
                guard bytes[index] >= 0x30 && bytes[index] <= 0x39 else { return false }
                index += 1
            }
        }
        return point || bytes.contains(0x65) || bytes.contains(0x45)
    }

    private static func date(_ bytes: [UInt8]) -> QlikValue? {
        guard bytes.count == 10 || bytes.count == 19, bytes[4] == 0x2D, bytes[7] == 0x2D else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard bytes[index] >= 0x30 && bytes[index] <= 0x39 else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        if bytes.count == 10 { return .date(year: year, month: month, day: day) }
        guard bytes[10] == 0x20 || bytes[10] == 0x54, bytes[13] == 0x3A, bytes[16] == 0x3A,
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              case .dual(let serial, _)? = QlikValue.timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second) else {
            return nil
        }
        // Keep the text as written ('T' or space).
        return .dual(serial, String(decoding: bytes, as: UTF8.self))
    }
}
