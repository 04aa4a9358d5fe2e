/// A credential's plain value, in memory only. It never prints: string
/// interpolation, `print`, `dump` and debuggers all show `********`, so a
/// secret cannot reach a log or an error by accident. ``reveal()`` is the one
/// way out, for the code that seals it or sends it to Qlik Cloud.
public struct Secret: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let mask = "********"
    private let value: String

    /// A secret must hold something; surrounding line breaks from files and
    /// standard input are not part of it.
    public init?(_ value: String) {
        var trimmed = Substring(value)
        while let last = trimmed.last, last.isNewline { trimmed.removeLast() }
        guard !trimmed.isEmpty else { return nil }
        self.value = String(trimmed)
    }

    public func reveal() -> String { value }

    public var description: String { Self.mask }
    public var debugDescription: String { Self.mask }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
