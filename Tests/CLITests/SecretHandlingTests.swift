import Foundation
import QlikConnections
import Repository
import Secrets
import Testing
import TestCommandLine

@Suite("Secrets stay secret, end to end")
struct SecretHandlingTests {
    @Test("planted secrets appear in no output, log line, audit row or byte of the repository")
    func plantedSecrets() async throws {
        let cli = try CommandLineHarness()
        let unique = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let token = "PLANTED-TOKEN-\(unique)"
        let clientID = "PLANTED-CLIENTID-\(unique)"
        let clientSecret = "PLANTED-CLIENTSECRET-\(unique)"
        let replacement = "PLANTED-REPLACEMENT-\(unique)"
        let planted = [token, clientID, clientSecret, replacement]
        let trace = ["--log-level", "trace"]

        try await cli.succeed(["org", "create", "Acme"] + trace)
        try await cli.succeed(["connection", "create", "Key", "--runtime-env", "Serverless", "--auth", "api-key",
                         "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:PLANTED"] + trace,
                        environment: ["PLANTED": token])
        let secretFile = try cli.file("secret.txt", clientSecret)
        try await cli.succeed(["connection", "create", "OAuth", "--runtime-env", "Serverless", "--auth", "oauth2",
                         "--base-url", "https://acme.eu.qlikcloud.com", "--client-id-from", "stdin",
                         "--client-secret-from", "file:\(secretFile)"] + trace, stdin: clientID)
        for format in [[], ["--json"]] {
            try await cli.succeed(["connection", "list"] + format + trace)
            try await cli.succeed(["connection", "show", "Key"] + format + trace)
            try await cli.succeed(["connection", "show", "OAuth"] + format + trace)
            try await cli.succeed(["audit", "list"] + format + trace)
            try await cli.succeed(["org", "show"] + format + trace)
        }
        try await cli.succeed(["connection", "update", "Key", "--access-token-from", "env:PLANTED", "--description", "rotated"] + trace,
                        environment: ["PLANTED": replacement])
        // A failing command must not echo the secret either.
        let failed = try await cli.run(["connection", "create", "Key", "--runtime-env", "Serverless", "--auth", "api-key",
                                  "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:PLANTED"] + trace,
                                 environment: ["PLANTED": token])
        #expect(failed.status == 2)
        try await cli.succeed(["connection", "rotate-key"] + trace)
        try await cli.succeed(["connection", "show", "OAuth", "--json"] + trace)

        let repositoryBytes = try cli.repositoryBytes()
        let audit = try await SQLiteRepository(path: cli.databasePath).auditEvents(of: nil, limit: 1000)
        let auditText = String(decoding: try JSONEncoder().encode(audit), as: UTF8.self)
        #expect(!audit.isEmpty)
        for secret in planted {
            #expect(!cli.transcript.contains(secret), "\(secret) printed")
            #expect(!auditText.contains(secret), "\(secret) in the audit trail")
            #expect(repositoryBytes.range(of: Data(secret.utf8)) == nil, "\(secret) in the repository file")
            #expect(repositoryBytes.range(of: Data(secret.utf8.reversed())) == nil)
        }
        // The test could fail: the secrets are really stored, sealed, and open with the key.
        #expect(try await ConnectionLifecycleTests.storedCredential(cli, connection: "Key", field: .accessToken) == replacement)
        #expect(try await ConnectionLifecycleTests.storedCredential(cli, connection: "OAuth", field: .clientSecret) == clientSecret)
        #expect(try await ConnectionLifecycleTests.storedCredential(cli, connection: "OAuth", field: .clientID) == clientID)
    }

    @Test("a secret given on the command line is refused without being echoed")
    func noSecretArguments() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        let base = ["connection", "create", "Key", "--runtime-env", "Serverless", "--auth", "api-key", "--base-url", "https://acme.eu.qlikcloud.com"]
        let plain = try await cli.run(base + ["--access-token", "ARGV-SECRET-1"])
        #expect(plain.status == 2)
        #expect(plain.stderr.contains("visible to every user"))
        let asSource = try await cli.run(base + ["--access-token-from", "ARGV-SECRET-2"])
        #expect(asSource.status == 2)
        #expect(asSource.stderr.contains("file:PATH, env:VARIABLE or stdin"))
        #expect(!plain.stderr.contains("ARGV-SECRET-1") && !asSource.stderr.contains("ARGV-SECRET-2"))
    }

    @Test("a different master key is refused cleanly and nothing is written")
    func wrongMasterKey() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        try await cli.succeed(["connection", "create", "Key", "--runtime-env", "Serverless", "--auth", "api-key",
                         "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:T"], environment: ["T": "first"])
        let original = try MasterKeyFile.read(cli.masterKeyPath)
        let other = MasterKey.generate()
        let otherPath = try cli.file("other.key", other.text)
        let environment = ["T": "second", "QLIK_CONNECTOR_MASTER_KEY_FILE": otherPath]

        let create = try await cli.run(["connection", "create", "Other", "--runtime-env", "Serverless", "--auth", "api-key",
                                  "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:T"], environment: environment)
        #expect(create.status == 1)
        #expect(create.stderr.contains(original.id) && create.stderr.contains(other.id))
        let rotate = try await cli.run(["connection", "rotate-key", "--new-key-file", try cli.file("new.key", MasterKey.generate().text)],
                                 environment: environment)
        #expect(rotate.status == 1)
        let fromText = try await cli.run(["connection", "update", "Key", "--access-token-from", "env:T"],
                                   environment: ["T": "third", "QLIK_CONNECTOR_MASTER_KEY": other.text])
        #expect(fromText.status == 1)
        #expect(try await cli.succeed(["connection", "list", "--json"]).json([ConnectionJSON].self).map(\.name) == ["Key"])
        #expect(try await ConnectionLifecycleTests.storedCredential(cli, connection: "Key", field: .accessToken) == "first")
    }

    @Test("rotate-key re-seals every credential under a new key and retires the old one")
    func rotation() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        for (name, value) in [("A", "alpha"), ("B", "beta")] {
            try await cli.succeed(["connection", "create", name, "--runtime-env", "Serverless", "--auth", "api-key",
                             "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:T"], environment: ["T": value])
        }
        let old = try MasterKeyFile.read(cli.masterKeyPath)
        let rotated = try await cli.succeed(["connection", "rotate-key"])
        #expect(rotated.stdout.contains("Re-sealed 2 credential(s)"))
        let new = try MasterKeyFile.read(cli.masterKeyPath)
        #expect(new.id != old.id)
        #expect(FileManager.default.fileExists(atPath: cli.home + "/master-\(old.id).retired.key"))
        #expect(try await ConnectionLifecycleTests.storedCredential(cli, connection: "A", field: .accessToken) == "alpha")
        #expect(try await ConnectionLifecycleTests.storedCredential(cli, connection: "B", field: .accessToken) == "beta")

        // The old key alone opens nothing any more.
        let repository = try SQLiteRepository(path: cli.databasePath)
        let organization = try #require(try await repository.organizations().first)
        let a = try await repository.connection(named: "A", in: organization.id)
        guard case .value(let sealed)? = a.authentication.credentials.first?.credential else {
            Issue.record("A has no sealed token")
            return
        }
        #expect(sealed.keyID == new.id)
        #expect(throws: SecretsError.self) { try Keyring(active: old).open(sealed, for: a.id, field: .accessToken) }

        // New credentials are sealed with the new key, and an explicit new key file works too.
        try await cli.succeed(["connection", "create", "C", "--runtime-env", "Serverless", "--auth", "api-key",
                         "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:T"], environment: ["T": "gamma"])
        let explicit = MasterKey.generate()
        let explicitPath = try cli.file("explicit.key", explicit.text)
        let second = try await cli.succeed(["connection", "rotate-key", "--new-key-file", explicitPath])
        #expect(second.stdout.contains("Re-sealed 3 credential(s) under master key \(explicit.id)"))
        try await cli.succeed(["connection", "update", "C", "--access-token-from", "env:T"],
                        environment: ["T": "delta", "QLIK_CONNECTOR_MASTER_KEY_FILE": explicitPath])
    }

    @Test("an interrupted rotation is finished on the next run")
    func interruptedRotation() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        try await cli.succeed(["connection", "create", "A", "--runtime-env", "Serverless", "--auth", "api-key",
                         "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:T"], environment: ["T": "alpha"])
        // Simulate a stop after the repository switched keys but before the files were swapped.
        let old = try MasterKeyFile.read(cli.masterKeyPath)
        let next = MasterKey.generate()
        try MasterKeyFile.create(next, at: cli.masterKeyPath + ".next")
        let both = Keyring(active: next, others: [old])
        _ = try await SQLiteRepository(path: cli.databasePath).rotateMasterKey(to: next.id, by: AuditActor("test")) { slot, sealed in
            try both.reseal(sealed, for: slot)
        }
        let resumed = try await cli.succeed(["connection", "update", "A", "--access-token-from", "env:T"], environment: ["T": "beta"])
        #expect(resumed.stderr.contains("Finished an interrupted key rotation"))
        #expect(try MasterKeyFile.read(cli.masterKeyPath).id == next.id)
        #expect(try await ConnectionLifecycleTests.storedCredential(cli, connection: "A", field: .accessToken) == "beta")
    }
}

@Suite("Files and concurrency, end to end")
struct RepositoryFilesTests {
    @Test("the repository and the generated master key are readable by their owner only")
    func ownerOnly() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        try await cli.succeed(["connection", "create", "A", "--runtime-env", "Serverless", "--auth", "api-key",
                         "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:T"], environment: ["T": "x"])
        for path in [cli.databasePath, cli.masterKeyPath] {
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600, "\(path) has mode \(String(mode?.intValue ?? 0, radix: 8))")
        }
    }

    @Test("20 processes creating the same name at once: exactly one wins, the others are told why")
    func concurrentProcesses() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        // One key first, so the race is about the name and not about generating the key.
        try await cli.succeed(["connection", "create", "Warm", "--runtime-env", "Serverless", "--auth", "api-key",
                         "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:T"], environment: ["T": "x"])
        let runs = try await withThrowingTaskGroup(of: CommandLineHarness.Run.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await cli.run(["connection", "create", index.isMultiple(of: 2) ? "Sales EU" : "sales eu", "--runtime-env", "Serverless",
                                 "--auth", "api-key", "--base-url", "https://acme.eu.qlikcloud.com", "--access-token-from", "env:T"],
                                environment: ["T": "token-\(index)"])
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(runs.filter { $0.status == 0 }.count == 1)
        #expect(runs.filter { $0.status == 2 && $0.stderr.contains("already exists") }.count == 19)
        let names = try await cli.succeed(["connection", "list", "--json"]).json([ConnectionJSON].self).map { $0.name.lowercased() }
        #expect(names.sorted() == ["sales eu", "warm"])
    }

    @Test("the Client ID, a credential, is not accepted on the command line either")
    func clientIDArgument() async throws {
        let cli = try CommandLineHarness()
        try await cli.succeed(["org", "create", "Acme"])
        let run = try await cli.run(["connection", "create", "O", "--runtime-env", "Serverless", "--auth", "oauth2",
                               "--base-url", "https://acme.eu.qlikcloud.com", "--client-id", "CLIENT-ID-VALUE", "--client-secret-from", "env:S"],
                              environment: ["S": "s"])
        #expect(run.status == 2 && run.stderr.contains("--client-id-from") && !run.stderr.contains("CLIENT-ID-VALUE"))
    }
}
