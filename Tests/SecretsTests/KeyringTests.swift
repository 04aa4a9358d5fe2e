import Foundation
import QlikConnections
import Testing
@testable import Secrets

@Suite("Sealing credentials at rest")
struct KeyringTests {
    let connection = ConnectionID()
    let secret = Secret("planted-7f3a-secret")!

    @Test("seals and opens a credential; the ciphertext does not contain it")
    func roundTrip() throws {
        let keyring = Keyring(active: .generate())
        let sealed = try keyring.seal(secret, for: connection, field: .accessToken)
        #expect(sealed.keyID == keyring.active.id)
        #expect(!Data(sealed.combined).contains(Data(secret.reveal().utf8)))
        #expect(try keyring.open(sealed, for: connection, field: .accessToken) == secret)
    }

    @Test("sealing twice gives different ciphertexts (fresh nonce each time)")
    func freshNonce() throws {
        let keyring = Keyring(active: .generate())
        let first = try keyring.seal(secret, for: connection, field: .accessToken)
        let second = try keyring.seal(secret, for: connection, field: .accessToken)
        #expect(first.combined != second.combined)
    }

    @Test("opening with another master key fails cleanly, naming both keys")
    func wrongKey() throws {
        let right = Keyring(active: .generate())
        let wrong = Keyring(active: .generate())
        let sealed = try right.seal(secret, for: connection, field: .clientSecret)
        let error = #expect(throws: SecretsError.self) { try wrong.open(sealed, for: connection, field: .clientSecret) }
        #expect(error == .unknownKey(keyID: right.active.id, available: [wrong.active.id]))
        #expect(error?.description.contains(right.active.id) == true)
        #expect(error?.description.contains(secret.reveal()) == false)
    }

    @Test("a ciphertext labelled with the right key id but sealed by another key does not open")
    func forgedKeyID() throws {
        let right = Keyring(active: .generate())
        let other = Keyring(active: .generate())
        let sealed = try other.seal(secret, for: connection, field: .accessToken)
        let relabelled = SealedSecret(keyID: right.active.id, combined: sealed.combined)
        #expect(throws: SecretsError.integrityCheckFailed(keyID: right.active.id, context: "Access Token of connection \(connection)")) {
            try right.open(relabelled, for: connection, field: .accessToken)
        }
    }

    @Test("an altered ciphertext does not open")
    func tampered() throws {
        let keyring = Keyring(active: .generate())
        var bytes = try keyring.seal(secret, for: connection, field: .accessToken).combined
        bytes[bytes.count / 2] ^= 0x01
        #expect(throws: SecretsError.self) { try keyring.open(SealedSecret(keyID: keyring.active.id, combined: bytes), for: connection, field: .accessToken) }
        #expect(throws: SecretsError.self) { try keyring.open(SealedSecret(keyID: keyring.active.id, combined: [1, 2, 3]), for: connection, field: .accessToken) }
    }

    @Test("a ciphertext moved to another connection or field does not open")
    func boundToItsPlace() throws {
        let keyring = Keyring(active: .generate())
        let sealed = try keyring.seal(secret, for: connection, field: .clientSecret)
        #expect(throws: SecretsError.self) { try keyring.open(sealed, for: ConnectionID(), field: .clientSecret) }
        #expect(throws: SecretsError.self) { try keyring.open(sealed, for: connection, field: .clientID) }
    }

    @Test("re-sealing moves a credential to the new key; the old key alone no longer opens it")
    func rotation() throws {
        let old = MasterKey.generate(), new = MasterKey.generate()
        let sealed = try Keyring(active: old).seal(secret, for: connection, field: .accessToken)
        let resealed = try Keyring(active: new, others: [old]).reseal(sealed, for: connection, field: .accessToken)
        #expect(resealed.keyID == new.id)
        #expect(try Keyring(active: new).open(resealed, for: connection, field: .accessToken) == secret)
        #expect(throws: SecretsError.self) { try Keyring(active: old).open(resealed, for: connection, field: .accessToken) }
    }

    @Test("a key's id is stable and its text form round-trips")
    func keyText() throws {
        let key = MasterKey.generate()
        let again = try MasterKey(text: key.text + "\n")
        #expect(again.id == key.id)
        #expect(key.id.count == 16)
        #expect(!key.description.contains(key.text))
    }

    @Test("refuses malformed keys", arguments: ["", "not base64!", Data(repeating: 1, count: 16).base64EncodedString()])
    func malformed(_ text: String) {
        #expect(throws: SecretsError.self) { try MasterKey(text: text) }
    }
}

@Suite("Master key files")
struct MasterKeyFileTests {
    func temporaryPath() -> String {
        NSTemporaryDirectory() + "qc-key-\(UUID().uuidString)/master.key"
    }

    @Test("creates the key readable by its owner only, and reads it back")
    func ownerOnly() throws {
        let path = temporaryPath()
        let key = MasterKey.generate()
        try MasterKeyFile.create(key, at: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try MasterKeyFile.read(path).id == key.id)
    }

    @Test("never overwrites an existing key")
    func noOverwrite() throws {
        let path = temporaryPath()
        try MasterKeyFile.create(.generate(), at: path)
        #expect(throws: SecretsError.self) { try MasterKeyFile.create(.generate(), at: path) }
    }

    @Test("refuses a key file that others can read")
    func tooOpen() throws {
        let path = temporaryPath()
        try MasterKeyFile.create(.generate(), at: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: SecretsError.keyFileTooOpen(path: path, permissions: "644")) { try MasterKeyFile.read(path) }
    }

    @Test("names a missing key file")
    func missing() {
        let error = #expect(throws: SecretsError.self) { try MasterKeyFile.read("/nonexistent/master.key") }
        #expect(error?.description.contains("/nonexistent/master.key") == true)
    }
}
