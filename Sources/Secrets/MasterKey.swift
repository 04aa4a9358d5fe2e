import Crypto
import Foundation

/// A 256-bit AES key that seals credentials at rest. Its id is derived from
/// the key itself, so a ciphertext names the key that can open it without
/// the key ever being stored beside it.
public struct MasterKey: Sendable, CustomStringConvertible {
    public let id: String
    let key: SymmetricKey

    public init(bytes: [UInt8]) throws(SecretsError) {
        guard bytes.count == 32 else { throw SecretsError.malformedKey(reason: "it holds \(bytes.count) bytes; a master key is 32 bytes") }
        self.init(key: SymmetricKey(data: bytes))
    }

    private init(key: SymmetricKey) {
        self.key = key
        id = String(key.withUnsafeBytes { raw in SHA256Digest.hex(Array("qlik-connector master key id\0".utf8) + Array(raw)) }.prefix(16))
    }

    /// A fresh random key.
    public static func generate() -> MasterKey {
        // 32 random bytes always make a valid key.
        MasterKey(key: SymmetricKey(size: .bits256))
    }

    /// Reads a key in its text form: 32 bytes in base64 (what `generate` writes).
    public init(text: String) throws(SecretsError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let data = Data(base64Encoded: trimmed) else {
            throw SecretsError.malformedKey(reason: "it is not base64 text")
        }
        try self.init(bytes: Array(data))
    }

    /// The key's text form: base64, one line.
    public var text: String {
        key.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    public var description: String { "master key \(id)" }
}
