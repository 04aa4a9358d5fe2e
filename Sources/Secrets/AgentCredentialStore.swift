import Crypto
import Foundation
public import QlikConnections

/// Credentials kept only on a Secure Agent's machine (the organization's
/// credential storage is "local agent"): sealed with a key of the agent's
/// own, both files readable by their owner only. The service never sees them.
public struct AgentCredentialStore: Sendable {
    public let folder: String
    var keyPath: String { folder + "/agent.key" }
    var storePath: String { folder + "/credentials.json" }

    private struct Document: Codable {
        var keyID: String
        /// By connection name (compared without regard to case), then by field: base64 of the sealed bytes.
        var connections: [String: [String: String]]
    }

    public init(folder: String) { self.folder = folder }

    /// Keeps `values` for the connection, replacing what it had.
    public func set(connection name: ConnectionName, _ values: [ConnectionField: Secret]) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key: MasterKey
        if FileManager.default.fileExists(atPath: keyPath) {
            key = try MasterKeyFile.read(keyPath)
        } else {
            key = MasterKey.generate()
            try MasterKeyFile.create(key, at: keyPath)
        }
        var document = try load() ?? Document(keyID: key.id, connections: [:])
        guard document.keyID == key.id else {
            throw SecretsError.unknownKey(keyID: document.keyID, available: [key.id])
        }
        let keyring = Keyring(active: key)
        var sealed: [String: String] = [:]
        for (field, secret) in values {
            sealed[field.rawValue] = Data(try keyring.seal(secret, for: Self.identity(name), field: field).combined).base64EncodedString()
        }
        document.connections[name.comparisonKey] = sealed
        let data = try JSONEncoder().encode(document)
        let temporary = storePath + ".tmp-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw SecretResolutionError("Cannot write the agent's credential store in \(folder).")
        }
        // Renamed into place: a store is never half-written.
        guard rename(temporary, storePath) == 0 else {
            try FileManager.default.removeItem(atPath: temporary)
            throw SecretResolutionError("Cannot replace the agent's credential store \(storePath).")
        }
    }

    /// The connection's credentials on this agent, or nil when it has none.
    public func credentials(connection name: ConnectionName) throws -> [ConnectionField: Secret]? {
        guard let document = try load(), let sealed = document.connections[name.comparisonKey] else { return nil }
        let keyring = Keyring(active: try MasterKeyFile.read(keyPath))
        var values: [ConnectionField: Secret] = [:]
        for (raw, text) in sealed {
            guard let field = ConnectionField(rawValue: raw), let bytes = Data(base64Encoded: text) else { continue }
            values[field] = try keyring.open(SealedSecret(keyID: document.keyID, combined: Array(bytes)), for: Self.identity(name), field: field)
        }
        return values
    }

    private func load() throws -> Document? {
        guard let data = FileManager.default.contents(atPath: storePath) else { return nil }
        return try JSONDecoder().decode(Document.self, from: data)
    }

    /// Seals are bound to the connection's name, as the administrator sets them (the agent never learns its id first).
    static func identity(_ name: ConnectionName) -> ConnectionID {
        let digest = Array(SHA256Digest.data(name.comparisonKey))
        let uuid = UUID(uuid: (digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
                               digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]))
        return ConnectionID(uuid)
    }
}
