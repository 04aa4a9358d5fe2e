import Foundation
import QlikConnections
import Repository
import Secrets
import Testing
import TestCommandLine

@Suite("qlik-connector connection commands, end to end")
struct ConnectionLifecycleTests {
    /// Reads a stored credential back with the data folder's master key.
    static func storedCredential(_ cli: CommandLineHarness, connection name: String, field: ConnectionField) async throws -> String? {
        let repository = try SQLiteRepository(path: cli.databasePath)
        let organization = try #require(try await repository.organizations().first)
        let connection = try await repository.connection(named: name, in: organization.id)
        let keyring = Keyring(active: try MasterKeyFile.read(cli.masterKeyPath))
        guard case .value(let sealed)? = connection.authentication.credentials.first(where: { $0.field == field })?.credential else { return nil }
        return try keyring.open(sealed, for: connection.id, field: field).reveal()
    }

    @Test("create, list, show, update and delete connections, with JSON parsed back")
    func lifecycle() async throws {
        let cli = try CommandLineHarness()
        let org = try await cli.succeed(["org", "create", "Acme Data", "--json"]).json(OrganizationJSON.self)
        #expect(org.name == "Acme Data" && org.credentialStorage == "repository")
        try await cli.succeed(["runtime-env", "create", "EU Agents"])

        let create = try await cli.succeed(
            ["connection", "create", "  Verkäufe EU  ", "--runtime-env", "eu agents", "--auth", "api-key",
             "--base-url", "https://Acme.EU.qlikcloud.com/", "--access-token-from", "env:TOKEN", "--description", "Sales", "--json"],
            environment: ["TOKEN": "token-one\n"])
        let created = try create.json(ConnectionJSON.self)
        #expect(created.name == "Verkäufe EU")
        #expect(created.authentication.baseURL == "https://acme.eu.qlikcloud.com")
        #expect(created.authentication.accessToken?.value == "********")
        #expect(created.runtimeEnvironment == "EU Agents")
        #expect(create.stderr.contains("Generated a new master key"))

        let secretFile = try cli.file("client-secret", "oauth-secret-one\n")
        try await cli.succeed(["connection", "create", "Finance", "--runtime-env", "Serverless", "--auth", "oauth2",
                         "--base-url", "https://acme.eu.qlikcloud.com", "--client-id-from", "env:CID", "--client-secret-from", "file:\(secretFile)"],
                        environment: ["CID": "client-1"])
        try await cli.succeed(["connection", "create", "Ops", "--runtime-env", "Serverless", "--auth", "oauth2",
                         "--base-url", "https://acme.eu.qlikcloud.com", "--client-id-from", "env:CID", "--client-secret-from", "stdin"],
                        stdin: "oauth-secret-two\n", environment: ["CID": "client-2"])

        let list = try await cli.succeed(["connection", "list", "--json"]).json([ConnectionJSON].self)
        #expect(list.map(\.name) == ["Finance", "Ops", "Verkäufe EU"])
        #expect(list.map(\.authentication.type) == ["oauth2", "oauth2", "api-key"])
        let table = try await cli.succeed(["connection", "list"]).stdout
        #expect(table.hasPrefix("NAME"))
        #expect(table.contains("Verkäufe EU"))
        #expect(try await cli.succeed(["connection", "list", "--auth", "api-key", "--json"]).json([ConnectionJSON].self).map(\.name) == ["Verkäufe EU"])
        #expect(try await cli.succeed(["connection", "list", "--name-contains", "FIN", "--json"]).json([ConnectionJSON].self).map(\.name) == ["Finance"])

        let show = try await cli.succeed(["connection", "show", "verkäufe eu"]).stdout
        #expect(show.contains("Access Token         ******** (sealed in the repository)"))

        #expect(try await Self.storedCredential(cli, connection: "Ops", field: .clientSecret) == "oauth-secret-two")
        #expect(try await Self.storedCredential(cli, connection: "Ops", field: .clientID) == "client-2")

        // An update that names no secret keeps the stored one.
        let updated = try await cli.succeed(["connection", "update", "Verkäufe EU", "--description", "Sales, Europe", "--name", "Sales EU", "--json"])
            .json(ConnectionJSON.self)
        #expect(updated.name == "Sales EU" && updated.description == "Sales, Europe" && updated.id == created.id)
        #expect(try await Self.storedCredential(cli, connection: "Sales EU", field: .accessToken) == "token-one")
        try await cli.succeed(["connection", "update", "Sales EU", "--access-token-from", "env:TOKEN"], environment: ["TOKEN": "token-two"])
        #expect(try await Self.storedCredential(cli, connection: "Sales EU", field: .accessToken) == "token-two")

        let refused = try await cli.run(["connection", "delete", "Sales EU"])
        #expect(refused.status == 2 && refused.stderr.contains("--yes"))
        try await cli.succeed(["connection", "delete", "Sales EU", "--yes"])
        #expect(try await cli.run(["connection", "show", "Sales EU"]).status == 2)
        let actions = try await cli.succeed(["audit", "--json"]).stdout
        #expect(actions.contains("connection.delete") && actions.contains("connection.update"))
    }

    @Test("exit codes: 0 success, 1 failure, 2 usage or validation error")
    func exitCodes() async throws {
        let cli = try CommandLineHarness()
        #expect(try await cli.run(["--help"]).status == 0)
        #expect(try await cli.run(["connection", "list"]).status == 2) // no organization yet
        try await cli.succeed(["org", "create", "Acme"])
        #expect(try await cli.run(["no-such-command"]).status == 2)
        #expect(try await cli.run(["connection", "create"]).status == 2)
        let invalid = try await cli.run(["connection", "create", String(repeating: "n", count: 256), "--runtime-env", "Serverless",
                                   "--auth", "api-key", "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:T"],
                                  environment: ["T": "x"])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("256 characters long; the maximum is 255"))
        #expect(invalid.stdout.isEmpty)
        #expect(try await cli.run(["connection", "show", "nothing"]).status == 2)
        try await cli.succeed(["connection", "create", "A", "--runtime-env", "Serverless", "--auth", "api-key",
                         "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:T"], environment: ["T": "x"])
        let otherKey = try cli.file("other.key", MasterKey.generate().text)
        let wrongKey = try await cli.run(["connection", "create", "B", "--runtime-env", "Serverless", "--auth", "api-key",
                                    "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:T"],
                                   environment: ["T": "x", "QLIK_CONNECTOR_MASTER_KEY_FILE": otherKey])
        #expect(wrongKey.status == 1)
    }

    @Test("reports every broken rule at once, each naming its field and the expected form")
    func manyProblems() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        let run = try await cli.run(["connection", "create", "Bad/Name", "--runtime-env", "nowhere", "--auth", "oauth2",
                               "--base-url", "http://x@acme.eu.qlikcloud.com", "--access-token-from", "env:T"], environment: ["T": "x"])
        #expect(run.status == 2)
        for fragment in ["'/'", "'nowhere' does not exist", "http://", "does not belong to OAuth 2.0", "Client ID is required",
                         "Client Secret is required", "https://<your-tenant-id>.<region>.qlikcloud.com"] {
            #expect(run.stderr.contains(fragment), "missing \(fragment) in \(run.stderr)")
        }
        #expect(try await cli.succeed(["connection", "list", "--json"]).json([ConnectionJSON].self).isEmpty)
    }

    @Test("a second connection with the same name in another case is refused")
    func duplicateName() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        let args = ["--runtime-env", "Serverless", "--auth", "api-key", "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:T"]
        try await cli.succeed(["connection", "create", "Sales EU"] + args, environment: ["T": "x"])
        let second = try await cli.run(["connection", "create", "SALES eu"] + args, environment: ["T": "x"])
        #expect(second.status == 2)
        #expect(second.stderr.contains("A connection named 'Sales EU' already exists"))
    }

    @Test("runtime environments: a used one cannot be deleted")
    func runtimeEnvironments() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        try await cli.succeed(["runtime-env", "create", "EU Agents"])
        #expect(try await cli.run(["runtime-env", "create", "eu agents"]).status == 2)
        try await cli.succeed(["connection", "create", "Sales", "--runtime-env", "EU Agents", "--auth", "api-key",
                         "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:T"], environment: ["T": "x"])
        let inUse = try await cli.run(["runtime-env", "delete", "EU Agents"])
        #expect(inUse.status == 2 && inUse.stderr.contains("used by 1 connection(s) (Sales)"))
        #expect(try await cli.run(["runtime-env", "delete", "Serverless"]).status == 2)
        try await cli.succeed(["connection", "delete", "Sales", "--yes"])
        try await cli.succeed(["runtime-env", "delete", "EU Agents"])
    }

    @Test("hosts outside Qlik Cloud are refused until the operator lists them; hosts allow, list and remove keep the list, normalised, and refuse bad patterns")
    func customTenantHosts() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        #expect(try await cli.succeed(["org", "show"]).stdout.contains("qlik-connector hosts list"))
        #expect(try await cli.succeed(["hosts", "list"]).stdout.contains("No entry"))
        let args = ["connection", "create", "Sandbox", "--runtime-env", "Serverless", "--auth", "api-key",
                    "--base-url", "http://127.0.0.1:9090", "--access-token-from", "env:T"]
        #expect(try await cli.run(args, environment: ["T": "x"]).status == 2)
        // The integer spelling of 127.0.0.1 is stored as the address it names.
        try await cli.succeed(["hosts", "allow", "2130706433:*", "*.Test.Internal"])
        #expect(try await cli.succeed(["hosts", "list", "--json"]).json([String].self) == ["127.0.0.1:*", "*.test.internal:*"])
        #expect(try await cli.succeed(["hosts", "allow", "127.0.0.1:*"]).stdout.contains("on the list already"))
        for bad in ["*", "*:8080", "http://127.0.0.1:1", "169.254.169.254:*", "metadata.google.internal", "127.0.0.1:99999", "::1:80", "*.0.0.1"] {
            let refused = try await cli.run(["hosts", "allow", bad])
            #expect(refused.status == 2 && refused.stderr.contains("Host pattern"), "\(bad): \(refused.stderr)")
        }
        try await cli.succeed(args, environment: ["T": "x"])
        #expect(try await cli.run(["hosts", "remove", "10.0.0.1:*"]).stderr.contains("'127.0.0.1:*'"))
        try await cli.succeed(["hosts", "remove", "127.0.0.1:*"])
        #expect(try await cli.succeed(["hosts", "list", "--json"]).json([String].self) == ["*.test.internal:*"])
        let audit = try await cli.succeed(["audit", "list"]).stdout
        #expect(audit.contains("tenant-hosts.allow") && audit.contains("tenant-hosts.remove"), "\(audit)")
    }

    @Test("two organizations: commands need --org to choose")
    func organizations() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        try await cli.succeed(["org", "create", "Globex"])
        #expect(try await cli.run(["org", "create", "ACME"]).status == 2)
        let ambiguous = try await cli.run(["connection", "list"])
        #expect(ambiguous.status == 2 && ambiguous.stderr.contains("--org"))
        try await cli.succeed(["connection", "list", "--org", "globex"])
        try await cli.succeed(["connection", "list"], environment: ["QLIK_CONNECTOR_ORG": "Globex"])
    }
}
