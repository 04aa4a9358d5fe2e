public import Foundation

public struct UserID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UUID
    public init(_ rawValue: UUID = UUID()) { self.rawValue = rawValue }
    public var description: String { rawValue.uuidString.lowercased() }
}

public struct AccessTokenID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UUID
    public init(_ rawValue: UUID = UUID()) { self.rawValue = rawValue }
    public var description: String { rawValue.uuidString.lowercased() }
}

/// A user or token field that breaks its rule: which one, and what is expected.
public struct UserValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    public let field: String
    public let message: String
    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { message }
}

/// A password as a user sets it: 12 to 256 characters, not all alike.
public struct Password: Sendable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(UserValidationError) {
        guard text.count >= 12, text.count <= 256 else {
            throw UserValidationError(field: "password", "A password needs 12 to 256 characters; this one has \(text.count).")
        }
        guard Set(text).count > 1 else { throw UserValidationError(field: "password", "A password cannot be one character repeated.") }
        value = text
    }

    public var description: String { "********" }
}

/// What a user may do in their organization.
public enum UserRole: String, Hashable, Sendable, Codable, CaseIterable {
    /// Everything: users, tokens of others, runtime environments, the organization, the audit trail.
    case admin
    /// Connections: create, change, delete, test.
    case designer
    /// Read only.
    case viewer

    public var managesConnections: Bool { self != .viewer }
    public var administers: Bool { self == .admin }
}

/// An e-mail address as users type it: trimmed, compared without regard to case.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(UserValidationError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !trimmed.contains(where: \.isWhitespace) else {
            throw UserValidationError(field: "email", "'\(text)' is not an e-mail address; expected name@example.com.")
        }
        value = trimmed
    }

    /// The form two addresses are compared in.
    public var comparisonKey: String { Self.comparisonKey(value) }

    /// The same form for text as typed (a sign-in form's field), which may not be an address at all.
    public static func comparisonKey(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }
    public var description: String { value }
}

/// A person who signs in to the service; belongs to exactly one organization.
public struct User: Hashable, Sendable, Identifiable {
    public let id: UserID
    public let organizationID: OrganizationID
    public var email: EmailAddress
    public var displayName: String
    public var role: UserRole
    public var disabled: Bool
    public let createdAt: Date
    /// Moves on when the user's password changes or they are disabled (the
    /// repository moves it): every console session and personal API token
    /// records the value it was issued under and works only while it is current.
    public let credentialsEpoch: Int64

    public init(id: UserID = UserID(), organizationID: OrganizationID, email: EmailAddress, displayName: String, role: UserRole,
                disabled: Bool = false, createdAt: Date = Date(), credentialsEpoch: Int64 = 0) {
        self.id = id
        self.organizationID = organizationID
        self.email = email
        self.displayName = displayName
        self.role = role
        self.disabled = disabled
        self.createdAt = createdAt.millisecondPrecision
        self.credentialsEpoch = credentialsEpoch
    }
}

/// A personal API token: the secret is shown once, and only its SHA-256 is kept.
public struct AccessToken: Hashable, Sendable, Identifiable {
    public let id: AccessTokenID
    public let userID: UserID
    public var name: String
    /// The first characters of the secret, to tell tokens apart in lists.
    public let prefix: String
    public let createdAt: Date
    public let expiresAt: Date?
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(id: AccessTokenID = AccessTokenID(), userID: UserID, name: String, prefix: String, createdAt: Date = Date(),
                expiresAt: Date? = nil, lastUsedAt: Date? = nil, revokedAt: Date? = nil) {
        self.id = id
        self.userID = userID
        self.name = name
        self.prefix = prefix
        self.createdAt = createdAt.millisecondPrecision
        self.expiresAt = expiresAt?.millisecondPrecision
        self.lastUsedAt = lastUsedAt?.millisecondPrecision
        self.revokedAt = revokedAt?.millisecondPrecision
    }

    public func isUsable(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }
}
