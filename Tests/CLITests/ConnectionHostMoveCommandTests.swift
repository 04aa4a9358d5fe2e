import Foundation
import QlikConnections
import Testing
import TestCommandLine

@Suite("qlik-connector connection update: a Base URL moved to another host does not keep the stored credentials")
struct ConnectionHostMoveCommandTests {
    @Test("--base-url to another host without the credentials exits 2 naming each to give again and changes nothing; given again it succeeds and the audit says the stored values were dropped; the same origin keeps them")
    func moveNeedsCredentials() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        try await cli.succeed(["connection", "create", "Finance", "--runtime-env", "Serverless", "--auth", "oauth2",
                               "--base-url", "https://acme.eu.qlikcloud.com", "--client-id-from", "env:CID", "--client-secret-from", "env:SECRET"],
                              environment: ["CID": "client-1", "SECRET": "secret-1"])

        let refused = try await cli.run(["connection", "update", "Finance", "--base-url", "https://evil.eu.qlikcloud.com"])
        #expect(refused.status == 2, "\(refused.stderr)")
        for field in ["Client ID", "Client Secret"] {
            #expect(refused.stderr.contains("Base URL moves to another host (https://acme.eu.qlikcloud.com to https://evil.eu.qlikcloud.com): "
                + "give the \(field) again; stored credentials are not sent to a new host."), "\(refused.stderr)")
        }
        #expect(try await cli.succeed(["connection", "show", "Finance"]).stdout.contains("https://acme.eu.qlikcloud.com"))
        #expect(try await ConnectionLifecycleTests.storedCredential(cli, connection: "Finance", field: .clientSecret) == "secret-1")

        // Another spelling of the same origin is not a move.
        try await cli.succeed(["connection", "update", "Finance", "--base-url", "https://ACME.eu.qlikcloud.com/", "--description", "same host"])
        #expect(try await ConnectionLifecycleTests.storedCredential(cli, connection: "Finance", field: .clientSecret) == "secret-1")

        try await cli.succeed(["connection", "update", "Finance", "--base-url", "https://other.eu.qlikcloud.com",
                               "--client-id-from", "env:CID", "--client-secret-from", "env:SECRET"],
                              environment: ["CID": "client-2", "SECRET": "secret-2"])
        #expect(try await ConnectionLifecycleTests.storedCredential(cli, connection: "Finance", field: .clientSecret) == "secret-2")
        let audit = try await cli.succeed(["audit", "--json"]).stdout
        #expect(audit.contains("stored value dropped: the Base URL moved to another host"), "\(audit)")
        #expect(!audit.contains("secret-1") && !audit.contains("secret-2"))
    }
}
