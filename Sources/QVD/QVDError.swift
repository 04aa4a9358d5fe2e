/// Why a QVD file cannot be read or written, with the byte offset where the
/// problem was found, so a damaged file can be looked at.
public struct QVDError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case unreadableFile
        case unwritableFile
        case truncated
        case headerNotTerminated
        case malformedHeader
        case missingElement
        case invalidNumber
        case outOfBounds
        case unsupported
        case invalidSymbol
        case invalidUTF8
        case symbolCountMismatch
        case indexOutOfRange
        case unknownField
        case invalidInput
    }

    public let kind: Kind
    public let message: String
    /// Byte offset in the file, where one applies.
    public let offset: UInt64?

    public init(_ kind: Kind, _ message: String, at offset: UInt64? = nil) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    public var description: String {
        offset.map { "\(message) (at byte \($0))" } ?? message
    }
}
