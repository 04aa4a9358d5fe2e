/// A connection's name: unique within its organization, compared without
/// regard to case. Only ``init(_:)`` makes one, so every value is valid.
public struct ConnectionName: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws(ConnectionValidationError) {
        switch NameRules.validate(raw) {
        case .success(let name): value = name
        case .failure(let problem):
            throw ConnectionValidationError(.name, problem.message(for: "Connection Name"))
        }
    }

    /// Equal for names that differ only in case: what the uniqueness rule compares.
    public var comparisonKey: String { NameRules.comparisonKey(value) }
    /// Equal for names that look the same (look-alike letters of other scripts,
    /// fullwidth forms): a second rule of uniqueness, so a name cannot pass for another.
    public var lookalikeKey: String { NameRules.lookalikeKey(value) }
    public var description: String { value }
}
