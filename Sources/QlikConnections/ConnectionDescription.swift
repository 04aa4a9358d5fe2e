/// The optional free text that explains a connection: at most 4000 characters.
public struct ConnectionDescription: Hashable, Sendable, CustomStringConvertible {
    public static let maximumLength = 4000
    public let value: String

    /// Returns nil for an empty description: "no description" has one spelling.
    public init?(_ raw: String) throws(ConnectionValidationError) {
        guard !raw.isEmpty else { return nil }
        let length = raw.count
        guard length <= Self.maximumLength else {
            throw ConnectionValidationError(
                .description,
                "Description is \(length) characters long; the maximum is \(Self.maximumLength)."
            )
        }
        value = raw
    }

    public var description: String { value }
}
