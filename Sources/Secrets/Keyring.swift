public import QlikConnections
import Crypto
import Foundation

/// The master keys this process knows: the active one seals, any of them
/// opens what it sealed. Rotation is re-sealing under a new active key.
public struct Keyring: Sendable {
    public let active: MasterKey
    private let keys: [String: MasterKey]

    public init(active: MasterKey, others: [MasterKey] = []) {
        self.active = active
        var keys = Dictionary(others.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        keys[active.id] = active
        self.keys = keys
    }

    public var keyIDs: [String] { keys.keys.sorted() }

    /// Whether a value sealed with `keyID` opens here.
    public func holds(_ keyID: String) -> Bool { keys[keyID] != nil }

    /// This keyring, also holding every key of `older` (its active key stays active): values sealed before a
    /// rotation, read by a process just before it, still open.
    public func keeping(_ older: Keyring) -> Keyring {
        Keyring(active: active, others: Array(keys.values) + Array(older.keys.values))
    }

    /// Seals a credential, bound to its connection and field so that a
    /// ciphertext copied onto another row or field will not open.
    public func seal(_ secret: Secret, for connection: ConnectionID, field: ConnectionField) throws -> SealedSecret {
        try seal(secret, for: .connection(connection, field))
    }

    public func open(_ sealed: SealedSecret, for connection: ConnectionID, field: ConnectionField) throws(SecretsError) -> Secret {
        try open(sealed, for: .connection(connection, field))
    }

    /// Opens with whichever key sealed it, and seals again under the active key.
    public func reseal(_ sealed: SealedSecret, for connection: ConnectionID, field: ConnectionField) throws -> SealedSecret {
        try reseal(sealed, for: .connection(connection, field))
    }

    /// Seals a value bound to where it is kept.
    public func seal(_ secret: Secret, for slot: SealedSlot) throws -> SealedSecret {
        let box = try AES.GCM.seal(Array(secret.reveal().utf8), using: active.key, authenticating: Self.context(slot))
        guard let combined = box.combined else { throw SecretsError.integrityCheckFailed(keyID: active.id, context: slot.description) }
        return SealedSecret(keyID: active.id, combined: Array(combined))
    }

    public func open(_ sealed: SealedSecret, for slot: SealedSlot) throws(SecretsError) -> Secret {
        guard let key = keys[sealed.keyID] else {
            throw .unknownKey(keyID: sealed.keyID, available: keyIDs)
        }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.combined)
            let plain = try AES.GCM.open(box, using: key.key, authenticating: Self.context(slot))
            guard let text = String(bytes: plain, encoding: .utf8), let secret = Secret(text) else {
                throw SecretsError.integrityCheckFailed(keyID: key.id, context: slot.description)
            }
            return secret
        } catch {
            throw .integrityCheckFailed(keyID: key.id, context: slot.description)
        }
    }

    public func reseal(_ sealed: SealedSecret, for slot: SealedSlot) throws -> SealedSecret {
        try seal(try open(sealed, for: slot), for: slot)
    }

    static func context(_ slot: SealedSlot) -> [UInt8] {
        switch slot {
        case .connection(let connection, let field): context(connection, field)
        case .secretsManager(let organization, let field): Array("qlik-connector/v1/organization/\(organization)/secrets-manager/\(field.rawValue)".utf8)
        }
    }

    static func context(_ connection: ConnectionID, _ field: ConnectionField) -> [UInt8] {
        Array("qlik-connector/v1/connection/\(connection)/\(field.rawValue)".utf8)
    }
}
