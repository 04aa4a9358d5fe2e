import Foundation
import Testing
@testable import Secrets

@Suite("SHA256Digest: the one SHA-256 helper")
struct SHA256DigestTests {
    @Test("hex and bytes of FIPS 180-2's \"abc\" vector")
    func knownVector() {
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(SHA256Digest.hex("abc") == expected)
        #expect(SHA256Digest.data(Data("abc".utf8)).map { String(format: "%02x", $0) }.joined() == expected)
    }

    @Test("a master key's id is unchanged: the first 8 bytes of the digest of its label and key, in hex")
    func masterKeyIDUnchanged() throws {
        #expect(try MasterKey(bytes: Array(0..<32)).id == "63199c71f3abb0c4")
    }
}
