import Foundation
import Testing
import TestCommandLine

@Suite("Use Secret Vault and credential storage, end to end")
struct SecretVaultTests {
    @Test("Use Secret Vault is refused without a secrets manager, then takes references once one is set")
    func references() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        let args = ["connection", "create", "Vaulted", "--runtime-env", "Serverless", "--auth", "oauth2",
                    "--base-url", "https://acme.eu.qlikcloud.com", "--use-secret-vault",
                    "--client-id-from", "env:CID", "--client-secret-ref", "prod/qlik:clientSecret"]
        let refused = try await cli.run(args, environment: ["CID": "client-1"])
        #expect(refused.status == 2 && refused.stderr.contains("has none configured"))

        try await cli.succeed(["org", "set", "--secrets-manager", "aws", "--aws-region", "eu-west-1"])
        let created = try await cli.succeed(args + ["--json"], environment: ["CID": "client-1"]).json(ConnectionJSON.self)
        #expect(created.useSecretVault)
        #expect(created.authentication.clientSecret?.source == "secret-vault")
        #expect(created.authentication.clientSecret?.reference == "prod/qlik:clientSecret")
        #expect(created.authentication.clientID?.source == "repository")
        #expect(!created.permittedUses.contains("data-ingestion-and-replication"))

        let malformed = try await cli.run(["connection", "update", "Vaulted", "--client-secret-ref", "no-key-here"])
        #expect(malformed.status == 2 && malformed.stderr.contains("<secret name>:<key>"))

        let dir = try await cli.run(["connection", "check-use", "Vaulted", "--use", "data-ingestion-and-replication"])
        #expect(dir.status == 2 && dir.stderr.contains("does not support"))
        #expect(try await cli.run(["connection", "check-use", "Vaulted", "--use", "data-access-policy-proxy"]).status == 2)
        try await cli.succeed(["connection", "check-use", "Vaulted", "--use", "data-integration"])

        let unset = try await cli.run(["org", "set", "--secrets-manager", "none"])
        #expect(unset.status == 2 && unset.stderr.contains("'Vaulted'"))
    }

    @Test("Vault KV v2 references follow the Vault form")
    func vault() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        try await cli.succeed(["org", "set", "--secrets-manager", "vault", "--vault-address", "https://vault.example.com:8200"])
        let created = try await cli.succeed(["connection", "create", "V", "--runtime-env", "Serverless", "--auth", "api-key",
                                       "--base-url", "https://acme.eu.qlikcloud.com", "--use-secret-vault",
                                       "--access-token-ref", "secret/data/qlik/prod:token", "--json"]).json(ConnectionJSON.self)
        #expect(created.authentication.accessToken?.reference == "secret/data/qlik/prod:token")
        // No value was given, so no master key was needed.
        #expect(!FileManager.default.fileExists(atPath: cli.masterKeyPath))
    }

    @Test("with local-agent storage the repository keeps no credential at all")
    func localAgent() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme", "--credential-storage", "local-agent"])
        try await cli.succeed(["runtime-env", "create", "EU Agents"])
        let base = ["--auth", "oauth2", "--base-url", "https://acme.eu.qlikcloud.com"]
        let created = try await cli.succeed(["connection", "create", "OnAgents", "--runtime-env", "EU Agents", "--json"] + base)
            .json(ConnectionJSON.self)
        #expect(created.authentication.clientID?.source == "agent")
        #expect(created.authentication.clientSecret?.source == "agent")
        let withValue = try await cli.run(["connection", "create", "Other", "--runtime-env", "EU Agents", "--client-id-from", "env:CID"] + base,
                                    environment: ["CID": "x"])
        #expect(withValue.status == 2 && withValue.stderr.contains("keeps credentials on its Secure Agents"))
        let serverless = try await cli.run(["connection", "create", "Other", "--runtime-env", "Serverless"] + base)
        #expect(serverless.status == 2 && serverless.stderr.contains("Secure Agent group"))
        #expect(!FileManager.default.fileExists(atPath: cli.masterKeyPath))
    }
}
