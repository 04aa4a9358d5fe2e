/// Why a use case refused or failed, in words a person can act on. Each entry
/// point maps it once: the command line to exit code 2 (the request was at
/// fault: invalid, forbidden, not found) or 1, the API to an HTTP status with
/// ``reason`` as its stable code. It never carries a secret.
public struct UseCaseError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of refusal or failure, for the entry points to map.
    public enum Kind: Sendable, Equatable {
        /// The request breaks a rule; ``UseCaseError/field`` names what to change.
        case invalid
        /// The caller may not do this.
        case forbidden
        /// What the request names does not exist.
        case notFound
        /// The request collides with the current state (in use, changed meanwhile).
        case conflict
        /// Something the use case needs is not there now (no master key loaded).
        case unavailable
        /// It was tried and went wrong.
        case failed
    }

    public let kind: Kind
    /// The field or option at fault, for ``Kind/invalid``.
    public let field: String?
    /// A stable code a script can branch on (`validation_failed`, `no_master_key`, ...).
    public let reason: String
    public let message: String

    public var description: String { message }

    /// Whether the request itself was at fault (a command line's usage error) rather than the doing of it.
    public var isRequestFault: Bool { [.invalid, .forbidden, .notFound].contains(kind) }

    init(_ kind: Kind, reason: String, _ message: String, field: String? = nil) {
        self.kind = kind
        self.reason = reason
        self.message = message
        self.field = field
    }

    public static func invalid(_ field: String, _ message: String) -> UseCaseError {
        UseCaseError(.invalid, reason: "validation_failed", message, field: field)
    }

    public static func forbidden(_ message: String) -> UseCaseError { UseCaseError(.forbidden, reason: "forbidden", message) }
    public static func notFound(_ message: String) -> UseCaseError { UseCaseError(.notFound, reason: "not_found", message) }
    public static func conflict(_ reason: String, _ message: String) -> UseCaseError { UseCaseError(.conflict, reason: reason, message) }
    public static func unavailable(_ reason: String, _ message: String) -> UseCaseError { UseCaseError(.unavailable, reason: reason, message) }
    public static func failed(_ reason: String, _ message: String) -> UseCaseError { UseCaseError(.failed, reason: reason, message) }
}
