public import Foundation

extension Date {
    /// Whole milliseconds since 1970: the precision every repository keeps,
    /// so a definition reads back exactly as it was written.
    public var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    public init(millisecondsSince1970: Int64) {
        self.init(timeIntervalSince1970: Double(millisecondsSince1970) / 1000)
    }

    public var millisecondPrecision: Date { Date(millisecondsSince1970: millisecondsSince1970) }
}
