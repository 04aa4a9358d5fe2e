import Foundation
import Testing
import UseCases

@Suite("Opaque tokens: qcs_, qca_ and console secrets issued, recognised and hashed as they always were")
struct OpaqueTokenTests {
    /// 32 bytes 0...31 in base64url: a token of each kind whose stored hash (SHA-256 of the whole text) was computed outside Swift.
    static let body = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

    @Test("a generated token is its scheme and 43 characters of base64url, new each time", arguments: OpaqueToken.Kind.allCases)
    func shape(_ kind: OpaqueToken.Kind) {
        let token = OpaqueToken.generate(kind)
        let body = token.text.dropFirst(kind.scheme.count)
        #expect(token.kind == kind && token.text.hasPrefix(kind.scheme) && body.count == 43, "\(token.text.count)")
        #expect(body.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "_" })
        #expect(OpaqueToken.generate(kind).text != token.text)
    }

    @Test("the schemes are qcs_ for personal API tokens, qca_ for agents and none for console secrets")
    func schemes() {
        #expect(OpaqueToken.Kind.personal.scheme == "qcs_" && OpaqueToken.Kind.agent.scheme == "qca_" && OpaqueToken.Kind.session.scheme.isEmpty)
    }

    @Test("the prefix lists show is the 8 characters after the scheme")
    func prefix() throws {
        #expect(try OpaqueToken("qcs_" + Self.body, as: .personal).prefix == "AAECAwQF")
        #expect(try OpaqueToken(Self.body, as: .session).prefix == "AAECAwQF")
    }

    @Test("the stored hash of a known token is the SHA-256 of its whole text, as for every token already issued")
    func knownHash() throws {
        func hex(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(try OpaqueToken("qcs_" + Self.body, as: .personal).hash) == "ee2ab4524afc7e7139670760e28880955d4bf5ec90335eb02e69d2dd358d21d7")
        #expect(hex(try OpaqueToken("qca_" + Self.body, as: .agent).hash) == "efb40f91e997f5d4c29f1a55f5331ea772c6c9be05fc6d793317f9e77d38aae1")
        #expect(hex(try OpaqueToken(Self.body, as: .session).hash) == "ea866a757e4c38babfa8127cbe9a409d3e1f93a00ff1488ff735fcf917afffd0")
    }

    @Test("the kind is recognised from the text; a console secret that happens to start with qcs_ stays a console secret")
    func kindRecognised() {
        #expect(OpaqueToken.kind(of: "qcs_" + Self.body) == .personal)
        #expect(OpaqueToken.kind(of: "qca_" + Self.body) == .agent)
        #expect(OpaqueToken.kind(of: Self.body) == .session)
        #expect(OpaqueToken.kind(of: "qcs_" + Self.body.dropFirst(4)) == .session)
        #expect(OpaqueToken.kind(of: "qcs_not-a-real-token") == nil && OpaqueToken.kind(of: "qcs_" + Self.body + "=") == nil)
    }

    @Test("a token of one kind is refused where another is expected, saying which was sent and which is wanted, never the token")
    func wrongKindRefused() {
        let agentToken = "qca_" + Self.body
        let refusal = #expect(throws: OpaqueTokenError.wrongKind(expected: .personal, found: .agent)) { try OpaqueToken(agentToken, as: .personal) }
        #expect(refusal?.description == "This is a Secure Agent token (qca_...), but a personal API token (qcs_...) is expected here.")
        let malformed = #expect(throws: OpaqueTokenError.malformed(expected: .agent)) { try OpaqueToken("qca_short", as: .agent) }
        #expect(malformed?.description.contains("'qca_' and 43 characters") == true && malformed?.description.contains("short") == false)
    }

    @Test("a token interpolated into a message shows its kind, not its secret")
    func redacted() {
        let token = OpaqueToken.generate(.personal)
        #expect("\(token)" == "a personal API token (qcs_...), redacted")
    }
}
