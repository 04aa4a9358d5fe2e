import ConnectorAPI
import OpenAPIRuntime
import Foundation
import HummingbirdTesting
import Hummingbird
import QlikConnections
import Repository
import QlikCloudSandbox
import Secrets
import Runtime
import Testing
import TestRepositories
@testable import Service
import ConnectorAPI

@Suite("The service API: roles, organizations, tokens, validation, idempotency")
struct ServiceAPITests {
    static let apiKeyConnection: [String: String] = [
        "name": "Sales EU", "description": "EU tenant", "runtimeEnvironment": "Serverless", "authenticationType": "api-key",
        "baseURL": "https://acme.eu.qlikcloud.com", "accessToken": "eyJhbGciOiJFUzM4NCJ9.test-token-value",
    ]

    @Test("viewer reads, designer manages connections, admin manages users and environments; the rest is 403", arguments: RepositoryBackend.allCases)
    func roles(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            #expect(try await api.call(.post, "/api/v1/connections", token: harness.token("viewer"), json: Self.apiKeyConnection).errorCode == "forbidden")
            #expect(try await api.call(.post, "/api/v1/connections", token: harness.token("designer"), json: Self.apiKeyConnection).status == .created)
            #expect(try await api.call(.get, "/api/v1/connections/Sales%20EU", token: harness.token("viewer")).status == .ok)
            #expect(try await api.call(.post, "/api/v1/connections/Sales%20EU/test", token: harness.token("viewer")).status == .forbidden)
            #expect(try await api.call(.delete, "/api/v1/connections/Sales%20EU", token: harness.token("viewer")).status == .forbidden)
            for who in ["viewer", "designer"] {
                #expect(try await api.call(.get, "/api/v1/users", token: harness.token(who)).status == .forbidden)
                #expect(try await api.call(.post, "/api/v1/runtime-environments", token: harness.token(who), json: ["name": "Agents"]).status == .forbidden)
                #expect(try await api.call(.get, "/api/v1/audit-events", token: harness.token(who)).status == .forbidden)
                #expect(try await api.call(.patch, "/api/v1/organization", token: harness.token(who), json: ["allowCustomTenantHosts": false]).status == .forbidden)
            }
            #expect(try await api.call(.post, "/api/v1/runtime-environments", token: harness.token("admin"), json: ["name": "Agents EU"]).status == .created)
            let environments = try await api.call(.get, "/api/v1/runtime-environments", token: harness.token("viewer"))
            #expect((environments.json as? [[String: Any]])?.compactMap { $0["name"] as? String }.sorted() == ["Agents EU", "Serverless"])
            let created = try await api.call(.post, "/api/v1/users", token: harness.token("admin"),
                                             json: ["email": "new@acme.example", "role": "designer", "password": "correct horse battery"])
            #expect(created.status == .created && created.object["role"] as? String == "designer" && created.object["password"] == nil)
            #expect(try await api.call(.get, "/api/v1/users", token: harness.token("admin")).json.map { ($0 as? [Any])?.count } == 4)
            let me = try await api.call(.get, "/api/v1/me", token: harness.token("designer"))
            #expect(me.object["email"] as? String == "designer@acme.example")
            let audit = try await api.call(.get, "/api/v1/audit-events?limit=50", token: harness.token("admin"))
            let actions = (audit.json as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
            #expect(actions.contains("connection.create") && actions.contains("user.create") && actions.contains("runtime-environment.create"), "\(audit.text)")
        }
    }

    @Test("a user of one organization gets 404 for anything of another", arguments: RepositoryBackend.allCases)
    func crossOrganization(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            try await api.call(.post, "/api/v1/connections", token: harness.token("admin"), json: Self.apiKeyConnection)
            let stranger = harness.token("otherAdmin")
            #expect(try await api.call(.get, "/api/v1/connections/Sales%20EU", token: stranger).status == .notFound)
            #expect(try await api.call(.patch, "/api/v1/connections/Sales%20EU", token: stranger, json: ["description": "mine"]).status == .notFound)
            #expect(try await api.call(.delete, "/api/v1/connections/Sales%20EU", token: stranger).status == .notFound)
            #expect(try await api.call(.post, "/api/v1/connections/Sales%20EU/test", token: stranger).status == .notFound)
            #expect(try await api.call(.get, "/api/v1/connections", token: stranger).object["total"] as? Int == 0)
            let acmeUser = try #require(harness.people["viewer"]?.user.id.description)
            #expect(try await api.call(.get, "/api/v1/users/\(acmeUser)", token: stranger).status == .notFound)
            #expect(try await api.call(.patch, "/api/v1/users/\(acmeUser)", token: stranger, json: ["role": "admin"]).status == .notFound)
            #expect(try await api.call(.delete, "/api/v1/users/\(acmeUser)", token: stranger).status == .notFound)
            #expect(try await api.call(.get, "/api/v1/users/\(acmeUser)/tokens", token: stranger).status == .notFound)
            // The same name is free in the other organization.
            #expect(try await api.call(.post, "/api/v1/connections", token: stranger, json: Self.apiKeyConnection).status == .created)
            let audit = try await api.call(.get, "/api/v1/audit-events", token: stranger)
            #expect((audit.json as? [[String: Any]])?.allSatisfy { ($0["actor"] as? String)?.contains("acme") != true } == true, "\(audit.text)")
        }
    }

    @Test("tokens: shown once, stored as a hash, listed by prefix, revoked by their user or an admin, then refused", arguments: RepositoryBackend.allCases)
    func tokens(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            let created = try await api.call(.post, "/api/v1/tokens", token: harness.token("viewer"), json: ["name": "ci", "expiresInDays": 30])
            let secret = try #require(created.object["token"] as? String)
            let id = try #require(created.object["id"] as? String)
            #expect(secret.hasPrefix("qcs_") && created.object["expiresAt"] != nil)
            #expect(try await api.call(.get, "/api/v1/me", token: secret).status == .ok)
            let listed = try await api.call(.get, "/api/v1/tokens", token: secret)
            #expect(!listed.text.contains(secret) && listed.text.contains(String(secret.dropFirst(4).prefix(8))))
            #expect(try await api.call(.delete, "/api/v1/tokens/\(id)", token: harness.token("viewer")).object["revokedAt"] != nil)
            let refused = try await api.call(.get, "/api/v1/me", token: secret)
            #expect(refused.status == .unauthorized && refused.errorCode == "unauthenticated" && refused.headers[.wwwAuthenticate] == "Bearer")
            // An admin revokes another user's token.
            let viewer = try #require(harness.people["viewer"]?.user.id.description)
            let tokens = try await api.call(.get, "/api/v1/users/\(viewer)/tokens", token: harness.token("admin"))
            let original = try #require((tokens.json as? [[String: Any]])?.first { $0["revokedAt"] == nil }?["id"] as? String)
            #expect(try await api.call(.delete, "/api/v1/users/\(viewer)/tokens/\(original)", token: harness.token("admin")).status == .ok)
            #expect(try await api.call(.get, "/api/v1/me", token: harness.token("viewer")).status == .unauthorized)
            // A disabled user's tokens stop working.
            let designer = try #require(harness.people["designer"]?.user.id.description)
            #expect(try await api.call(.patch, "/api/v1/users/\(designer)", token: harness.token("admin"), json: ["disabled": true]).status == .ok)
            #expect(try await api.call(.get, "/api/v1/me", token: harness.token("designer")).status == .unauthorized)
            #expect(try await api.call(.get, "/api/v1/me", token: "qcs_not-a-real-token").status == .unauthorized)
            #expect(try await api.call(.get, "/api/v1/me", token: "sbx_other_scheme").status == .unauthorized)
            #expect(try await api.call(.post, "/api/v1/tokens", token: harness.token("admin"), json: ["name": "x", "expiresInDays": 0]).errorField == "expiresInDays")
        }
        let stored = try await harness.store.storedBytes()
        for (_, person) in harness.people { #expect(stored.range(of: Data(person.token.utf8)) == nil, "token secrets are stored as hashes only") }
    }

    @Test("create with an Idempotency-Key runs once: a retry gets the first answer and its Location, another body with the same key is refused", arguments: RepositoryBackend.allCases)
    func idempotency(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            let key: HTTPFields = [.idempotencyKey: "create-sales-eu-1"]
            let first = try await api.call(.post, "/api/v1/connections", token: harness.token("designer"), json: Self.apiKeyConnection, headers: key)
            let again = try await api.call(.post, "/api/v1/connections", token: harness.token("designer"), json: Self.apiKeyConnection, headers: key)
            #expect(first.status == .created && again.status == .created && first.text == again.text, "\(first.status) \(first.text) / \(again.status) \(again.text)")
            #expect(again.headers[.idempotentReplayed] == "true")
            #expect(again.headers[.location] != nil && again.headers[.location] == first.headers[.location], "the replay carries the first answer's Location")
            var changed = Self.apiKeyConnection
            changed["description"] = "another body"
            let reused = try await api.call(.post, "/api/v1/connections", token: harness.token("designer"), json: changed, headers: key)
            #expect(reused.status == .unprocessableContent && reused.errorCode == "idempotency_key_reused" && reused.errorField == "Idempotency-Key")
            // Without a key, the second create is a duplicate.
            let duplicate = try await api.call(.post, "/api/v1/connections", token: harness.token("designer"), json: Self.apiKeyConnection)
            #expect(duplicate.status == .conflict && duplicate.errorCode == "duplicate_name" && duplicate.errorField == "name")
            #expect(try await api.call(.get, "/api/v1/connections", token: harness.token("viewer")).object["total"] as? Int == 1)
        }
    }

    @Test("validation errors carry the field: Base URL, missing name, both auth types' fields, bad JSON, wrong types, passwords, roles", arguments: RepositoryBackend.allCases)
    func validation(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            let designer = harness.token("designer")
            var bad = Self.apiKeyConnection
            bad["baseURL"] = "http://acme.eu.qlikcloud.com/hub"
            let badURL = try await api.call(.post, "/api/v1/connections", token: designer, json: bad)
            #expect(badURL.status == .unprocessableContent && badURL.errorField == "baseURL")
            #expect((badURL.object["error"] as? [String: Any])?["message"] as? String != nil)
            var unnamed = Self.apiKeyConnection
            unnamed.removeValue(forKey: "name")
            unnamed["baseURL"] = "nonsense"
            let several = try await api.call(.post, "/api/v1/connections", token: designer, json: unnamed)
            let problems = ((several.object["error"] as? [String: Any])?["problems"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
            #expect(several.errorField == "name" && Set(problems) == ["name", "baseURL"])
            let oauth: [String: Any] = ["name": "OAuth EU", "runtimeEnvironment": "Serverless", "authenticationType": "oauth2",
                                        "baseURL": "https://acme.eu.qlikcloud.com", "clientID": "abc"]
            #expect(try await api.call(.post, "/api/v1/connections", token: designer, json: oauth).errorField == "clientSecret")
            #expect(try await api.call(.post, "/api/v1/connections", token: designer, raw: "{not json").errorCode == "malformed_body")
            let wrongType = try await api.call(.post, "/api/v1/connections", token: designer, json: ["name": 42])
            #expect(wrongType.status == .unprocessableContent && wrongType.errorField == "name")
            #expect(try await api.call(.get, "/api/v1/connections?limit=0", token: designer).errorField == "limit")
            #expect(try await api.call(.get, "/api/v1/connections?authenticationType=basic", token: designer).errorField == "authenticationType")
            let admin = harness.token("admin")
            #expect(try await api.call(.post, "/api/v1/users", token: admin, json: ["email": "a@b.example", "role": "designer", "password": "short"]).errorField == "password")
            #expect(try await api.call(.post, "/api/v1/users", token: admin, json: ["email": "not-an-address", "role": "viewer"]).errorField == "email")
            #expect(try await api.call(.post, "/api/v1/users", token: admin, json: ["email": "c@d.example", "role": "owner"]).errorField == "role")
            #expect(try await api.call(.post, "/api/v1/users", token: admin, json: ["email": "ADMIN@acme.example", "role": "viewer"]).status == .conflict)
            // The last enabled administrator stays.
            let me = try #require(harness.people["admin"]?.user.id.description)
            #expect(try await api.call(.patch, "/api/v1/users/\(me)", token: admin, json: ["role": "viewer"]).errorCode == "last_administrator")
            #expect(try await api.call(.delete, "/api/v1/users/\(me)", token: admin).errorCode == "last_administrator")
            #expect(try await api.call(.delete, "/api/v1/runtime-environments/Serverless", token: admin).errorCode == "in_use")
        }
    }

    @Test("a page of 50 of 120 connections, by name, with a cursor to the next; filters by name, type and environment", arguments: RepositoryBackend.allCases)
    func paging(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            let admin = harness.token("admin")
            try await api.call(.post, "/api/v1/runtime-environments", token: admin, json: ["name": "Agents"])
            for index in 0..<120 {
                var body = Self.apiKeyConnection
                body["name"] = String(format: "Conn %03d", index)
                if index % 3 == 0 {
                    body["authenticationType"] = "oauth2"
                    body["clientID"] = "client-\(index)"
                    body["clientSecret"] = "secret-\(index)"
                    body.removeValue(forKey: "accessToken")
                }
                if index % 10 == 0 { body["runtimeEnvironment"] = "Agents" }
                #expect(try await api.call(.post, "/api/v1/connections", token: admin, json: body).status == .created)
            }
            var names: [String] = []
            var cursor: String?
            repeat {
                let query = cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? ""
                let page = try await api.call(.get, "/api/v1/connections?limit=50\(query)", token: harness.token("viewer"))
                #expect(page.object["total"] as? Int == 120)
                names += (page.object["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
                cursor = page.object["nextCursor"] as? String
            } while cursor != nil
            #expect(names == (0..<120).map { String(format: "Conn %03d", $0) })
            #expect(try await api.call(.get, "/api/v1/connections?authenticationType=oauth2", token: admin).object["total"] as? Int == 40)
            #expect(try await api.call(.get, "/api/v1/connections?runtimeEnvironment=agents", token: admin).object["total"] as? Int == 12)
            #expect(try await api.call(.get, "/api/v1/connections?nameContains=011", token: admin).object["total"] as? Int == 1)
            // Lists keep built views by version: a change shows at once, a deletion leaves the page.
            #expect(try await api.call(.patch, "/api/v1/connections/Conn%20005", token: admin, json: ["description": "changed"]).status == .ok)
            let changed = try await api.call(.get, "/api/v1/connections?limit=10", token: admin)
            let item = (changed.object["items"] as? [[String: Any]])?.first { $0["name"] as? String == "Conn 005" }
            #expect(item?["description"] as? String == "changed")
            #expect(try await api.call(.delete, "/api/v1/connections/Conn%20000", token: admin).status == .ok)
            let after = try await api.call(.get, "/api/v1/connections?limit=10", token: admin)
            #expect((after.object["items"] as? [[String: Any]])?.first?["name"] as? String == "Conn 001" && after.object["total"] as? Int == 119)
        }
    }
}

@Suite("The API's dates")
struct ISODateTests {
    @Test("ISO 8601 UTC by arithmetic matches Foundation's formatter from 1900 to 2400, leap days and negative times included")
    func matchesFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1), Date(timeIntervalSince1970: 951_782_400), // 2000-02-29
                     Date(timeIntervalSince1970: 4_107_542_399), Date(timeIntervalSince1970: -2_208_988_800)]
        for _ in 0..<5000 { dates.append(Date(timeIntervalSince1970: Double(Int64.random(in: -2_208_988_800...13_569_465_600, using: &generator)))) }
        for date in dates { #expect(ISODate.string(date) == formatter.string(from: date)) }
    }

    @Test("the generated code's dates: written as OpenAPIRuntime's ISO 8601 transcoder writes them, and read back, fractions too")
    func transcoder() throws {
        let ours = APIDateTranscoder(), theirs = ISO8601DateTranscoder.iso8601
        for seconds in [0.0, -1, 951_782_400, 1_796_560_000, 4_107_542_399] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(try ours.encode(date) == theirs.encode(date))
            #expect(try ours.decode(theirs.encode(date)) == date)
        }
        #expect(try ours.decode("2026-12-06T14:05:00.250Z") == Date(timeIntervalSince1970: 1_796_565_900.25))
        #expect(try ours.decode("2026-12-06T15:05:00+01:00") == Date(timeIntervalSince1970: 1_796_565_900))
        #expect(throws: DecodingError.self) { try ours.decode("yesterday") }
    }
}

@Suite("List pages written from kept JSON")
struct ListPageJSONTests {
    @Test("a page from kept fragments is the JSON the encoder would write: escapes, last tests, cursor, total", arguments: RepositoryBackend.allCases)
    func sameAsEncoder(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            try await api.call(.post, "/api/v1/connections", token: harness.token("admin"),
                               json: ["name": "Sales EU + 2", "description": "line\nbreak \"quoted\" back\\slash é\ttab", "runtimeEnvironment": "Serverless",
                                      "authenticationType": "api-key", "baseURL": "https://acme.eu.qlikcloud.com", "accessToken": "t"])
        }
        let connection = try #require(try await harness.repository.connections(of: harness.acme.id, matching: .init()).first)
        let record = ConnectionTestRecord(connectionID: connection.id, testedAt: Date(timeIntervalSince1970: 1_790_000_000), succeeded: false,
                                          summary: "Failed at \"DNS\": no\nhost ✗", report: Data())
        let environments = try await harness.repository.runtimeEnvironments(of: harness.acme.id)
        let view = Components.Schemas.Connection(connection, environments: environments)
        let written = ConnectionViewCache.page([(try ConnectionViewCache.entry(view), record)], nextCursor: "Quote \"and\"", total: 7)
        let encoded = try ServiceJSON.encoder.encode(Page(items: [Components.Schemas.Connection(connection, environments: environments, lastTest: record)], total: 7, nextCursor: "Quote \"and\""))
        let parsed = try JSONSerialization.jsonObject(with: Data(written)) as? NSDictionary
        let expected = try JSONSerialization.jsonObject(with: encoded) as? NSDictionary
        #expect(parsed != nil && parsed == expected)
    }
}

@Suite("Secret-vault connections in the service")
struct ServiceSecretVaultTests {
    @Test("an administrator keeps the secrets manager's access key in the settings: sealed, never shown, checked whole, and used by the serverless workers",
          arguments: RepositoryBackend.allCases)
    func managerCredentialsInTheSettings(_ backend: RepositoryBackend) async throws {
        let moto = try MotoSecrets.endpoint()
        let harness = try await ServiceHarness.make(backend) // the service's environment gives no AWS credentials
        let planted = "planted-aws-secret-\(UUID().uuidString)"
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(port: 0))
        let secretName = "qc/settings-\(UUID().uuidString.prefix(8))"
        let answers = try await sandbox.withRunning { tenant in
            try await MotoSecrets.put(secretName, #"{"apiKey": "\#(tenant.apiKey)"}"#)
            return try await harness.withClient { api in
                let admin = harness.token("admin")
                let half = try await api.call(.patch, "/api/v1/organization", token: admin, json: [
                    "secretsManager": ["kind": "aws", "region": "us-east-1", "endpoint": moto], "secretsManagerCredentials": ["awsAccessKeyID": "AKIDEXAMPLE"]])
                #expect(half.status == .unprocessableContent && half.text.contains("AWS Secret Access Key is missing"), "\(half.text)")
                let stray = try await api.call(.patch, "/api/v1/organization", token: admin, json: [
                    "secretsManager": ["kind": "aws", "region": "us-east-1", "endpoint": moto], "secretsManagerCredentials": ["vaultRoleID": "r", "vaultSecretID": "s"]])
                #expect(stray.status == .unprocessableContent && stray.text.contains("does not belong to AWS Secrets Manager"), "\(stray.text)")
                #expect(try await api.call(.patch, "/api/v1/organization", token: harness.token("designer"), json: ["secretsManagerCredentials": [String: String]()])
                        .status == .forbidden)
                let mixed = try await api.call(.patch, "/api/v1/organization", token: admin, json: ["secretsManager": ["kind": "aws", "region": "us-east-1", "address": moto]])
                #expect(mixed.status == .unprocessableContent && mixed.errorField == "secretsManager.address", "\(mixed.text)")
                // Without credentials of its own, the organization gets none from the service's identity.
                let bare = try await api.call(.patch, "/api/v1/organization", token: admin, json: ["secretsManager": ["kind": "aws", "region": "us-east-1", "endpoint": moto]])
                #expect((bare.object["secretsManager"] as? [String: Any])?["credentials"] as? String == "environment")
                let created = try await api.call(.post, "/api/v1/connections", token: admin, json: [
                    "name": "Vaulted", "runtimeEnvironment": "Serverless", "authenticationType": "api-key", "useSecretVault": true,
                    "baseURL": tenant.baseURL, "accessTokenReference": "\(secretName):apiKey"])
                #expect(created.status == .created, "\(created.text)")
                let refused = try await api.call(.post, "/api/v1/connections/Vaulted/test", token: admin)
                #expect(refused.status == .conflict && refused.text.contains("No AWS credentials"), "\(refused.text)")
                let set = try await api.call(.patch, "/api/v1/organization", token: admin, json: [
                    "secretsManagerCredentials": ["awsAccessKeyID": "AKIDEXAMPLE", "awsSecretAccessKey": planted]])
                let manager = set.object["secretsManager"] as? [String: Any]
                #expect(set.status == .ok && manager?["credentials"] as? String == "organization"
                        && manager?["credentialFields"] as? [String] == ["awsAccessKeyID", "awsSecretAccessKey"], "\(set.text)")
                let tested = try await api.call(.post, "/api/v1/connections/Vaulted/test", token: admin)
                #expect(tested.status == .ok && tested.object["succeeded"] as? Bool == true, "\(tested.text)")
                let shown = try await api.call(.get, "/api/v1/organization", token: harness.token("viewer"))
                #expect((shown.object["secretsManager"] as? [String: Any])?["credentials"] as? String == "organization")
                // Moved to another endpoint: the key given for the old one is dropped, not sent to the new place.
                let moved = try await api.call(.patch, "/api/v1/organization", token: admin, json: [
                    "secretsManager": ["kind": "aws", "region": "us-east-1", "endpoint": moto + "/"]])
                #expect((moved.object["secretsManager"] as? [String: Any])?["credentials"] as? String == "environment", "\(moved.text)")
                let audit = try await api.call(.get, "/api/v1/audit-events", token: admin)
                #expect(audit.text.contains("organization.secrets-manager-credentials.set"))
                return [half, stray, mixed, bare, created, refused, set, tested, shown, moved, audit].map(\.text).joined()
            }
        }
        #expect(!answers.contains(planted), "an answer shows the secret access key")
        #expect(try await harness.store.storedBytes().range(of: Data(planted.utf8)) == nil, "the database holds the secret access key in plain text")
        #expect(!harness.logs.text.contains(planted), "a log line shows the secret access key")
    }

    @Test("on the serverless environment the service's own workers read the key from the secrets manager (moto); a missing key is named, its value never",
          arguments: RepositoryBackend.allCases)
    func resolvedByTheServerlessPool(_ backend: RepositoryBackend) async throws {
        let moto = try MotoSecrets.endpoint()
        // The operator lets the serverless workers use the service's own AWS identity (serve --secrets-manager-credentials-from-environment).
        let harness = try await ServiceHarness.make(backend, managerCredentials: ManagerCredentialSource(
            aws: { SigV4.Credentials(accessKeyID: "testing", secretAccessKey: "testing") }, appRole: { nil }))
        var acme = harness.acme
        acme.secretsManager = try SecretsManagerSettings.aws(region: "us-east-1", endpoint: moto)
        try await harness.repository.updateOrganization(acme, by: AuditActor("test"))
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(port: 0))
        let secretName = "qc/service-\(UUID().uuidString.prefix(8))"
        try await sandbox.withRunning { tenant in
            try await MotoSecrets.put(secretName, #"{"apiKey": "\#(tenant.apiKey)"}"#)
            try await harness.withClient { api in
                for (name, reference) in [("Vaulted", "\(secretName):apiKey"), ("Missing", "\(secretName):noSuchKey")] {
                    let created = try await api.call(.post, "/api/v1/connections", token: harness.token("designer"), json: [
                        "name": name, "runtimeEnvironment": "Serverless", "authenticationType": "api-key", "useSecretVault": true,
                        "baseURL": tenant.baseURL, "accessTokenReference": reference])
                    #expect(created.status == .created, "\(created.text)")
                    let credential = ((created.object["authentication"] as? [String: Any])?["accessToken"] as? [String: Any])
                    #expect(credential?["source"] as? String == "secret-vault" && credential?["reference"] as? String == reference)
                }
                let tested = try await api.call(.post, "/api/v1/connections/Vaulted/test", token: harness.token("designer"))
                #expect(tested.status == .ok && tested.object["succeeded"] as? Bool == true, "\(tested.text)")
                let missing = try await api.call(.post, "/api/v1/connections/Missing/test", token: harness.token("designer"))
                #expect(missing.status == .conflict && missing.text.contains("noSuchKey") && missing.text.contains(secretName), "\(missing.text)")
                #expect(!missing.text.contains(tenant.apiKey))
            }
        }
    }
}
