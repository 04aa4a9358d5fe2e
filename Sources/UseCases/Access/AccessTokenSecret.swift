public import Foundation
import Secrets

/// A personal API token's secret: `qcs_` and 43 characters of base64url
/// (32 random bytes). Only its SHA-256 is stored; the prefix shown in
/// lists is the first 8 characters after `qcs_`, too few to guess from.
public struct AccessTokenSecret: Sendable {
    public static let scheme = "qcs_"
    public let value: String

    public static func generate() -> AccessTokenSecret {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let encoded = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return AccessTokenSecret(value: scheme + encoded)
    }

    public var prefix: String { String(value.dropFirst(Self.scheme.count).prefix(8)) }

    public static func hash(_ text: String) -> Data { SHA256Digest.data(text) }
}
