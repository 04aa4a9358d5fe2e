public import Foundation
import Secrets

/// A secret the service issues and later recognises by its hash alone: a
/// personal API token (`qcs_`), a Secure Agent's token (`qca_`) or a console
/// secret (a session, a form's CSRF token, the setup link). Each is 32
/// random bytes in base64url (43 characters) after its kind's scheme; only
/// its SHA-256 is stored, so the hash of the whole text must never change
/// or every token already issued would stop working.
public struct OpaqueToken: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case personal, agent, session

        /// What the text starts with, so a token pasted in the wrong place is told apart.
        public var scheme: String {
            switch self {
            case .personal: "qcs_"
            case .agent: "qca_"
            case .session: ""
            }
        }

        /// The kind in a sentence: "a personal API token (qcs_...)".
        public var named: String {
            switch self {
            case .personal: "a personal API token (qcs_...)"
            case .agent: "a Secure Agent token (qca_...)"
            case .session: "a console secret (43 characters of base64url)"
            }
        }
    }

    /// 32 random bytes, base64url without padding.
    public static let encodedLength = 43

    public let kind: Kind
    /// The secret itself: shown once, sent back by its holder, never logged.
    public let text: String

    private init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }

    /// A new random token of `kind`.
    public static func generate(_ kind: Kind) -> OpaqueToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let encoded = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return OpaqueToken(kind: kind, text: kind.scheme + encoded)
    }

    /// `text` as a token of `expected` kind; refused when it is another kind's or has no token's shape.
    public init(_ text: String, as expected: Kind) throws(OpaqueTokenError) {
        guard let found = Self.kind(of: text) else { throw .malformed(expected: expected) }
        guard found == expected else { throw .wrongKind(expected: expected, found: found) }
        self.init(kind: found, text: text)
    }

    /// The kind whose shape `text` has: its scheme then exactly 43 base64url characters. The lengths differ (47 and 43), so a
    /// console secret that happens to start with `qcs_` is never taken for a personal token.
    public static func kind(of text: String) -> Kind? {
        Kind.allCases.first { kind in
            let body = text.utf8.dropFirst(kind.scheme.utf8.count)
            return text.hasPrefix(kind.scheme) && body.count == encodedLength && body.allSatisfy(isBase64URL)
        }
    }

    /// The stored one-way fingerprint: SHA-256 of the whole text, scheme included.
    public var hash: Data { SHA256Digest.data(text) }

    /// What lists show of a token: the 8 characters after the scheme, too few to guess the rest from.
    public var prefix: String { String(text.dropFirst(kind.scheme.count).prefix(8)) }

    /// Never the secret, so a token interpolated into a log line by mistake gives nothing away.
    public var description: String { "\(kind.named), redacted" }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte)
            || (0x61...0x7A).contains(byte)
    }
}

/// A text that is not the token expected where it was sent. The text itself is never part of the message.
public enum OpaqueTokenError: Error, Equatable, CustomStringConvertible {
    case wrongKind(expected: OpaqueToken.Kind, found: OpaqueToken.Kind)
    case malformed(expected: OpaqueToken.Kind)

    public var description: String {
        switch self {
        case .wrongKind(let expected, let found):
            "This is \(found.named), but \(expected.named) is expected here."
        case .malformed(let expected):
            "This is not \(expected.named): one is \(expected.scheme.isEmpty ? "" : "'\(expected.scheme)' and ")\(OpaqueToken.encodedLength) "
                + "characters of A-Z, a-z, 0-9, - and _, exactly as it was issued."
        }
    }
}
