/// A credential as it rests in the repository: AES-256-GCM ciphertext (nonce,
/// ciphertext and tag together) and the id of the master key that sealed it,
/// so keys can rotate while older ciphertexts stay readable.
public struct SealedSecret: Hashable, Sendable, CustomStringConvertible {
    public let keyID: String
    public let combined: [UInt8]

    public init(keyID: String, combined: [UInt8]) {
        self.keyID = keyID
        self.combined = combined
    }

    /// Even ciphertext is not printed: it is nobody's business in a log.
    public var description: String { "sealed(\(keyID))" }
}
