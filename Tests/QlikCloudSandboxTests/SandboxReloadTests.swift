import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox reloads, scripts and data model metadata")
struct SandboxReloadTests {
    /// Polls a reload until it leaves the active states.
    static func finalState(_ client: some TestClientProtocol, reload: String, key: String) async throws -> [String: Any] {
        for _ in 0..<1000 {
            let body = try await client.execute(uri: "/api/v1/reloads/\(reload)", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                try Wire.json(response.body)
            }
            if let status = body["status"] as? String, !["QUEUED", "RELOADING", "CANCELING"].contains(status) { return body }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw Wire.Failure("reload \(reload) never finished")
    }

    @Test("a reload runs the app's script: QUEUED, then SUCCEEDED with a log, and the data model changes")
    func succeeds() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        let app = try #require(await sandbox.tenant.apps.first)
        let json: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
        try await sandbox.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/apps/\(app.id)/scripts", method: .post, headers: json,
                                     body: ByteBuffer(string: #"{"script":"Sales:\nLOAD * INLINE [\nRegion, Amount\nEU, 10\nUS, 20.5\n];","versionMessage":"v1"}"#)) { #expect($0.status == .ok) }
            let id = try await client.execute(uri: "/api/v1/reloads", method: .post, headers: json,
                                              body: ByteBuffer(string: #"{"appId":"\#(app.id)"}"#)) { (response: TestResponse) throws in
                #expect(response.status == .created)
                let reload = try Wire.json(response.body)
                #expect(reload["status"] as? String == "QUEUED")
                #expect(reload["appId"] as? String == app.id)
                return try #require(reload["id"] as? String)
            }
            let final = try await Self.finalState(client, reload: id, key: key)
            #expect(final["status"] as? String == "SUCCEEDED")
            #expect((final["log"] as? String)?.contains("Finished successfully") == true)
            #expect(final["startTime"] is String && final["endTime"] is String)
            try await client.execute(uri: "/api/v1/apps/\(app.id)/data/metadata", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                let metadata = try Wire.json(response.body)
                let tables = try #require(metadata["tables"] as? [[String: Any]])
                #expect(tables.first?["name"] as? String == "Sales")
                #expect(tables.first?["no_of_rows"] as? Int == 2)
                let fields = try #require(metadata["fields"] as? [[String: Any]])
                #expect(fields.map { $0["name"] as? String } == ["Region", "Amount"])
                #expect(fields.last?["is_numeric"] as? Bool == true)
            }
            try await client.execute(uri: "/api/v1/apps/\(app.id)/data/lineage", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                let lineage = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]]
                #expect(lineage?.first?["discriminator"] as? String == "INLINE;")
            }
            try await client.execute(uri: "/api/v1/reloads?appId=\(app.id)", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                // Newest first: this reload, then the one that loaded the app at seeding.
                let reloads = try #require(try Wire.json(response.body)["data"] as? [[String: Any]])
                #expect(reloads.map { $0["status"] as? String } == ["SUCCEEDED", "SUCCEEDED"] && reloads.first?["id"] as? String == id)
            }
        }
    }

    @Test("a script error fails the reload with a Qlik-style log naming the line, and keeps the old data and its reload time; the item says it failed")
    func fails() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        let app = try #require(await sandbox.tenant.apps.first)
        #expect(!app.dataModel.tables.isEmpty, "the app was loaded at seeding")
        _ = await sandbox.tenant.setScript(app.id, script: "LOAD * INLINE [A\n1];\n\nLOAD * FROM [lib://DataFiles/none.qvd] (qvd);", message: "", userID: "u")
        let json: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
        try await sandbox.application().test(.router) { client in
            let id = try await client.execute(uri: "/api/v1/reloads", method: .post, headers: json, body: ByteBuffer(string: #"{"appId":"\#(app.id)"}"#)) { (response: TestResponse) throws in
                try #require(try Wire.json(response.body)["id"] as? String)
            }
            let final = try await Self.finalState(client, reload: id, key: key)
            #expect(final["status"] as? String == "FAILED")
            let log = try #require(final["log"] as? String)
            #expect(log.contains("The following error occurred:") && log.contains("Cannot open file") && log.contains("Line 4"))
            try await client.execute(uri: "/api/v1/items?resourceId=\(app.id)", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                let item = try #require((Wire.json(response.body)["data"] as? [[String: Any]])?.first)
                #expect(item["resourceReloadStatus"] as? String == "error" && item["resourceReloadEndTime"] as? String == final["endTime"] as? String)
                #expect((item["resourceAttributes"] as? [String: Any])?["lastReloadTime"] as? String == app.lastReloadTime.map(JSONResponse.timestamp))
            }
        }
        let after = try #require(await sandbox.tenant.app(app.id))
        #expect(after.dataModel == app.dataModel && after.lastReloadTime == app.lastReloadTime)
    }

    @Test("a queued reload can be canceled; a finished one cannot")
    func cancel() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        let app = try #require(await sandbox.tenant.apps.first)
        // Queued directly, before any worker runs, so it is still QUEUED when canceled.
        let queued = try await sandbox.tenant.queueReload(appID: app.id, userID: "u", partial: false)
        try await sandbox.tenant.cancelReload(queued.id)
        #expect(await sandbox.tenant.reload(queued.id)?.status == "CANCELED")
        try await sandbox.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/reloads/\(queued.id)/actions/cancel", method: .post, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                #expect(response.status == .conflict)
            }
            try await client.execute(uri: "/api/v1/reloads/nope/actions/cancel", method: .post, headers: Wire.bearer(key)) { #expect($0.status == .notFound) }
        }
    }
}
