import Crypto
public import Foundation

/// SHA-256 for the product's one-way fingerprints: stored token hashes, cache
/// keys, request fingerprints and signatures' payload hashes.
public enum SHA256Digest {
    /// The 32-byte digest of `bytes`.
    public static func data(_ bytes: some DataProtocol) -> Data { Data(SHA256.hash(data: bytes)) }

    /// The 32-byte digest of `text`'s UTF-8 bytes.
    public static func data(_ text: String) -> Data { data(Data(text.utf8)) }

    /// The digest of `bytes` in lowercase hex (64 characters).
    public static func hex(_ bytes: some DataProtocol) -> String { hex(digest: SHA256.hash(data: bytes)) }

    /// The digest of `text`'s UTF-8 bytes in lowercase hex (64 characters).
    public static func hex(_ text: String) -> String { hex(Data(text.utf8)) }

    private static let digits = Array("0123456789abcdef".utf8)

    private static func hex(digest: SHA256.Digest) -> String {
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
