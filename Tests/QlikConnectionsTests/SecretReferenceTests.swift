import Testing
@testable import QlikConnections

@Suite("Secret reference syntax")
struct SecretReferenceTests {
    @Test("parses AWS Secrets Manager references", arguments: [
        ("prod/qlik:apiKey", "prod/qlik:apiKey"),
        ("qlik-api_key+v2=@.x:token", "qlik-api_key+v2=@.x:token"),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/qlik-AbCdEf", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/qlik-AbCdEf"),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/qlik-AbCdEf:token", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/qlik-AbCdEf:token"),
        ("arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:q", "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:q"),
    ])
    func aws(_ raw: String, _ canonical: String) throws {
        #expect(try SecretReference(raw, for: .awsSecretsManager, field: .accessToken).description == canonical)
    }

    @Test("refuses malformed AWS references", arguments: [
        "prod/qlik", "prod/qlik:", ":token", "prod qlik:token", "pro#d:token",
        "arn:aws:s3:eu-west-1:123456789012:secret:x", "arn:aws:secretsmanager:eu-west-1:12345:secret:x",
        "arn:aws:secretsmanager:eu-west-1:123456789012:parameter:x", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x:",
        "",
    ])
    func awsInvalid(_ raw: String) {
        let error = #expect(throws: ConnectionValidationError.self) { try SecretReference(raw, for: .awsSecretsManager, field: .clientSecret) }
        #expect(error?.problems.first?.field == .clientSecret)
        #expect(error?.description.contains("<secret name>:<key>") == true)
    }

    @Test("parses HashiCorp Vault KV v2 references", arguments: [
        ("secret/data/qlik/prod:token", "secret", "qlik/prod", "token"),
        ("kv/data/team-a/qlik_cloud:client.secret", "kv", "team-a/qlik_cloud", "client.secret"),
    ])
    func vault(_ raw: String, _ mount: String, _ path: String, _ key: String) throws {
        #expect(try SecretReference(raw, for: .hashiCorpVault, field: .accessToken) == .vault(mount: mount, path: path, key: key))
    }

    @Test("refuses malformed Vault references", arguments: [
        "secret/qlik/prod:token", "secret/data/qlik/prod", "secret/data/:token", "secret/data/qlik//prod:token",
        "secret/data/../prod:token", "secret/data/qlik:", "/data/qlik:token", "secret/data/qlik prod:token",
    ])
    func vaultInvalid(_ raw: String) {
        let error = #expect(throws: ConnectionValidationError.self) { try SecretReference(raw, for: .hashiCorpVault, field: .accessToken) }
        #expect(error?.description.contains("secret/data/<path>:<key>") == true)
    }

    @Test("a malformed reference is not echoed: it may be a secret pasted by mistake")
    func noEcho() {
        let error = #expect(throws: ConnectionValidationError.self) { try SecretReference("sk-PASTED-SECRET", for: .awsSecretsManager, field: .accessToken) }
        #expect(error?.description.contains("PASTED") == false)
    }

    @Test("a reference in one manager's format is refused by the other")
    func crossFormat() {
        #expect(throws: ConnectionValidationError.self) { try SecretReference("prod/qlik:token", for: .hashiCorpVault, field: .accessToken) }
    }
}

@Suite("Secret values never print")
struct SecretTests {
    @Test("interpolation, description, debug description and dump show the mask")
    func masked() throws {
        let secret = try #require(Secret("planted-value-123"))
        #expect("\(secret)" == "********")
        #expect(String(describing: secret) == "********")
        #expect(String(reflecting: secret) == "********")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("planted"))
        #expect(secret.reveal() == "planted-value-123")
    }

    @Test("a secret is never empty and drops the trailing line break of a file")
    func trimming() {
        #expect(Secret("") == nil)
        #expect(Secret("\n") == nil)
        #expect(Secret("abc\n")?.reveal() == "abc")
        #expect(Secret(" abc ")?.reveal() == " abc ")
    }
}
