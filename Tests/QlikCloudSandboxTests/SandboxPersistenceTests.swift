import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import QVD
import Testing
@testable import QlikCloudSandbox

@Suite("A sandbox under --data keeps its tenant across restarts")
struct SandboxPersistenceTests {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "sandbox-data-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("credentials, tokens, revocations, data files, scripts, reloads and data models come back after a restart")
    func restart() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await QlikCloudSandbox.open(dataDirectory: directory)
        let credentials = first.credentials(port: 0)
        let app = try #require(await first.tenant.apps.first)
        let json: HTTPFields = [.authorization: "Bearer \(credentials.apiKey)", .contentType: "application/json"]
        let (accessToken, fileID) = try await first.application().test(.router) { client in
            let accessToken = try await client.execute(uri: "/oauth/token", method: .post, headers: [.contentType: "application/json"],
                                                   body: ByteBuffer(string: #"{"grant_type":"client_credentials","client_id":"\#(credentials.clientID)","client_secret":"\#(credentials.clientSecret)"}"#)) {
                (response: TestResponse) throws in try #require(try Wire.json(response.body)["access_token"] as? String)
            }
            var (headers, body) = SandboxResourceTests.multipart(name: "orders.csv", content: "id,amount\n1,2.5\n2,7\n")
            headers[.authorization] = "Bearer \(credentials.apiKey)"
            let fileID = try await client.execute(uri: "/api/v1/data-files", method: .post, headers: headers, body: body) { (response: TestResponse) throws in
                #expect(response.status == .created)
                return try #require(try Wire.json(response.body)["id"] as? String)
            }
            try await client.execute(uri: "/api/v1/apps/\(app.id)/scripts", method: .post, headers: json,
                                     body: ByteBuffer(string: #"{"script":"Orders:\nLOAD id, amount AS Amount FROM [lib://DataFiles/orders.csv] (txt, utf8, embedded labels, delimiter is ',');"}"#)) {
                #expect($0.status == .ok)
            }
            let reload = try await client.execute(uri: "/api/v1/reloads", method: .post, headers: json, body: ByteBuffer(string: #"{"appId":"\#(app.id)"}"#)) {
                (response: TestResponse) throws in try #require(try Wire.json(response.body)["id"] as? String)
            }
            #expect(try await SandboxReloadTests.finalState(client, reload: reload, key: credentials.apiKey)["status"] as? String == "SUCCEEDED")
            return (accessToken, fileID)
        }
        let model = try #require(await first.tenant.app(app.id)?.dataModel)
        #expect(model.tables.first?.rowCount == 2)
        let secondKey = await first.tenant.addAPIKey(for: credentials.userID)
        await first.tenant.revokeAPIKey(secondKey.token)

        let second = try await QlikCloudSandbox.open(dataDirectory: directory)
        #expect(second.credentials(port: 0) == credentials)
        #expect(second.tenant.tenantID == first.tenant.tenantID)
        #expect(await second.tenant.app(app.id)?.dataModel == model)
        #expect(await second.tenant.app(app.id)?.script.contains("Orders:") == true)
        #expect(await second.tenant.dataFile(fileID)?.content == Array("id,amount\n1,2.5\n2,7\n".utf8))
        try await second.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer(accessToken)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer(secondKey.token)) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/reloads?appId=\(app.id)", method: .get, headers: Wire.bearer(credentials.apiKey)) { (response: TestResponse) throws in
                let reloads = try #require(try Wire.json(response.body)["data"] as? [[String: Any]])
                // Newest first: the test's reload, then the one that loaded the app at seeding.
                #expect(reloads.map { $0["status"] as? String } == ["SUCCEEDED", "SUCCEEDED"])
            }
            try await client.execute(uri: "/api/v1/data-files/\(fileID)", method: .delete, headers: Wire.bearer(credentials.apiKey)) { #expect($0.status == .noContent) }
        }
        // The deletion reached the disk: a third start has no such file, and no stray content is left
        // (the sample files stay; the reloaded app has its second model only, the others their first).
        let third = try await QlikCloudSandbox.open(dataDirectory: directory)
        #expect(await third.tenant.dataFile(fileID) == nil)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory + "/data-files")) == Set(await third.tenant.dataFiles.map(\.id)))
        #expect(await third.tenant.dataFiles.map(\.name) == ["orders.csv", "customers.csv", "products.qvd"])
        let models = await third.tenant.apps.map { "\($0.id).\($0.id == app.id ? 2 : 1)" }
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory + "/models")) == Set(models))
        #expect(await third.tenant.apps.map(\.lastReload) == first.tenant.apps.map(\.lastReload), "reload times are kept")
    }

    @Test("a reload running when the sandbox stopped is failed on restart; a queued one runs again")
    func interruptedReloads() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await QlikCloudSandbox.open(dataDirectory: directory)
        let app = try #require(await first.tenant.apps.first)
        _ = await first.tenant.setScript(app.id, script: "T: LOAD * INLINE [A\n1\n2];", message: "", userID: "u")
        // No worker runs here: one reload is started by hand, the other stays queued.
        let running = try await first.tenant.queueReload(appID: app.id, userID: "u", partial: false)
        let queued = try await first.tenant.queueReload(appID: app.id, userID: "u", partial: false)
        _ = await first.tenant.startReload(running.id)

        let second = try await QlikCloudSandbox.open(dataDirectory: directory)
        let failed = try #require(await second.tenant.reload(running.id))
        #expect(failed.status == "FAILED" && failed.log.contains("stopped during the reload"))
        #expect(await second.tenant.reload(queued.id)?.status == "QUEUED")
        var pending = second.tenant.reloadQueue.makeAsyncIterator()
        #expect(await pending.next() == queued.id)
    }

    @Test("a directory that cannot hold a tenant, or holds an unreadable one, is refused with its path")
    func badDirectory() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("not json".utf8).write(to: URL(fileURLWithPath: directory + "/tenant.json"))
        let error = await #expect(throws: SandboxSetupError.self) { _ = try await QlikCloudSandbox.open(dataDirectory: directory) }
        #expect(error?.description.contains("\(directory)/tenant.json") == true)
        let file = directory + "/plain-file"
        try Data().write(to: URL(fileURLWithPath: file))
        let notDirectory = await #expect(throws: SandboxSetupError.self) { _ = try await QlikCloudSandbox.open(dataDirectory: file) }
        #expect(notDirectory?.description.contains(file) == true)
    }

    @Test("a generated app of 100,000 rows round-trips through the data directory as QVD")
    func largeModel() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await QlikCloudSandbox.open(dataDirectory: directory)
        let id = await first.addGeneratedApp(name: "Big", rows: 100_000, columns: 5, seed: 7)
        let second = try await QlikCloudSandbox.open(dataDirectory: directory)
        #expect(await second.appID(named: "Big") == id)
        #expect(await second.tenant.app(id)?.dataModel == first.tenant.app(id)?.dataModel)
    }
}

@Suite("Seeding a sandbox from a fixture file")
struct SandboxFixtureTests {
    static func write(_ text: String, to directory: String, as name: String = "fixture.json") throws -> String {
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("users with fixed keys and clients, spaces, data files from a path and inline, apps reloaded at seeding, generated apps")
    func seeds() async throws {
        let directory = try SandboxPersistenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try Self.write("id,amount\n1,2.5\n2,7\n", to: directory, as: "orders.csv")
        let path = try Self.write("""
            {"users": [{"name": "Ada", "email": "ada@example.com", "apiKeys": [{"token": "sbx_fixed_key"}],
                        "oauthClients": [{"clientId": "fixed-client", "clientSecret": "fixed-secret"}]},
                       {"name": "Bob", "email": "bob@example.com", "status": "disabled", "apiKeys": [{}]}],
             "spaces": [{"name": "Finance", "type": "shared", "description": "Money"}, {"name": "Lake", "type": "data", "owner": "bob@example.com"}],
             "dataFiles": [{"name": "orders.csv", "path": "orders.csv"}, {"name": "notes.txt", "text": "hello", "owner": "bob@example.com"}],
             "apps": [{"name": "Orders", "space": "Finance", "reload": true,
                       "script": "Orders:\\nLOAD * FROM [lib://DataFiles/orders.csv] (txt, utf8, embedded labels, delimiter is ',');"},
                      {"name": "Empty"}],
             "generatedApps": [{"name": "Big", "rows": 1000, "columns": 3, "seed": 5, "space": "Finance"}]}
            """, to: directory)
        let sandbox = try await QlikCloudSandbox.open(fixture: try SandboxFixture.load(path: path))
        let credentials = sandbox.credentials(port: 0)
        #expect(credentials.apiKey == "sbx_fixed_key" && credentials.clientID == "fixed-client" && credentials.clientSecret == "fixed-secret")
        let tenant = sandbox.tenant
        #expect(await tenant.users.count == 2)
        #expect(await tenant.spaces.map(\.name) == ["Finance", "Lake"])
        let finance = try #require(await tenant.spaces.first)
        let orders = try #require(await tenant.apps.first { $0.name == "Orders" })
        #expect(orders.spaceID == finance.id)
        #expect(orders.dataModel.table("Orders")?.rowCount == 2)
        #expect(await tenant.apps.first { $0.name == "Big" }?.dataModel.tables.first?.columns.count == 3)
        // A generated app's table is kept as a QVD in its space, for its script to reload.
        #expect(await tenant.dataFiles.map(\.name) == ["orders.csv", "notes.txt", "Big.qvd"])
        #expect(await tenant.dataFiles.last?.spaceID == finance.id)
        let reloads = await tenant.reloads
        #expect(reloads.map(\.appID) == [orders.id] && reloads.first?.status == "SUCCEEDED", "the reload at seeding is recorded")
        #expect(orders.lastReloadTime == reloads.first?.endTime)
        try await sandbox.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer("sbx_fixed_key")) { (response: TestResponse) throws in
                #expect(try Wire.json(response.body)["email"] as? String == "ada@example.com")
            }
            let bobKey = try #require(await tenant.snapshot().apiKeys.first { $0.token != "sbx_fixed_key" }?.token)
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer(bobKey)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/oauth/token", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"grant_type":"client_credentials","client_id":"fixed-client","client_secret":"fixed-secret"}"#)) {
                #expect($0.status == .ok)
            }
        }
    }

    @Test("a bad fixture is refused before anything is seeded, naming the entry and what was expected",
          arguments: [
            (#"{"users": []}"#, "at least one user"),
            (#"{"spaces": []}"#, "users is missing"),
            (#"{"users": [{"name": "A", "email": 3}]}"#, "users[0].email"),
            (#"{"users": [{"name": "A", "email": "a@x"}, {"name": "B", "email": "A@x"}]}"#, "used twice"),
            (#"{"users": [{"name": "A", "email": "a@x"}], "spaces": [{"name": "S", "type": "team"}]}"#, "expected shared, managed or data"),
            (#"{"users": [{"name": "A", "email": "a@x"}], "apps": [{"name": "X", "space": "Nowhere"}]}"#, "'Nowhere', which is not a space"),
            (#"{"users": [{"name": "A", "email": "a@x"}], "apps": [{"name": "X", "owner": "z@x"}]}"#, "z@x, which is not a user"),
            (#"{"users": [{"name": "A", "email": "a@x"}], "dataFiles": [{"name": "d", "path": "missing.csv"}]}"#, "missing.csv"),
            (#"{"users": [{"name": "A", "email": "a@x"}], "apps": [{"name": "X", "reload": true, "script": "LOAD * FROM [lib://DataFiles/none.qvd] (qvd);"}]}"#,
             "the script fails at line 1"),
          ])
    func refuses(fixture: String, expected: String) async throws {
        let directory = try SandboxPersistenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try Self.write(fixture, to: directory)
        let error = await #expect(throws: SandboxSetupError.self) {
            _ = try await QlikCloudSandbox.open(dataDirectory: directory + "/data", fixture: try SandboxFixture.load(path: path))
        }
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
        #expect(!FileManager.default.fileExists(atPath: directory + "/data/tenant.json"))
    }

    @Test("a fixture seeds only a new data directory; an existing tenant is never overwritten")
    func existingTenant() async throws {
        let directory = try SandboxPersistenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try Self.write(#"{"users": [{"name": "A", "email": "a@x"}]}"#, to: directory)
        let seeded = try await QlikCloudSandbox.open(dataDirectory: directory + "/data", fixture: try SandboxFixture.load(path: path))
        let error = await #expect(throws: SandboxSetupError.self) {
            _ = try await QlikCloudSandbox.open(dataDirectory: directory + "/data", fixture: try SandboxFixture.load(path: path))
        }
        #expect(error?.description.contains("already holds a tenant") == true)
        #expect(try await QlikCloudSandbox.open(dataDirectory: directory + "/data").credentials(port: 0) == seeded.credentials(port: 0))
    }
}
