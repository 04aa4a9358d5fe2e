import Foundation
import Testing
import TestCommandLine

/// `org set` keeps the platform's rule: credentials on local Secure Agents and a secrets manager exclude each other.
@Suite("org set: a secrets manager and credential storage local-agent exclude each other")
struct OrganizationRuleCommandTests {
    @Test("--secrets-manager on a local-agent organization, and --credential-storage local-agent beside a manager, are usage errors (exit 2) naming the other setting")
    func bothDirectionsRefused() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Edge", "--credential-storage", "local-agent"])
        let manager = try await cli.run(["org", "set", "--secrets-manager", "aws", "--aws-region", "eu-west-1"])
        #expect(manager.status == 2 && manager.stderr.contains("credential storage is local-agent"), "\(manager.stderr)")
        try await cli.succeed(["org", "set", "--credential-storage", "repository"])
        try await cli.succeed(["org", "set", "--secrets-manager", "aws", "--aws-region", "eu-west-1", "--manager-credentials-from-environment"])
        let storage = try await cli.run(["org", "set", "--credential-storage", "local-agent"])
        #expect(storage.status == 2 && storage.stderr.contains("AWS Secrets Manager") && storage.stderr.contains("secrets manager none"), "\(storage.stderr)")
        #expect(try await cli.succeed(["org", "show", "--json"]).json(OrganizationJSON.self).credentialStorage == "repository")
    }
}
