import Foundation
import NIOCore
import QlikCloudAPI
import Testing
@testable import QlikCloudSandbox
import TestTenants

@Suite("REST resources as typed calls against the sandbox")
struct RESTResourceTests {
    @Test("lists are AsyncSequences that follow links.next lazily, page by page")
    func paging() async throws {
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(tier1PerMinute: .max))
        let owner = sandbox.credentials(port: 0).userID
        for index in 0..<250 { _ = await sandbox.tenant.addSpace(name: "Team \(index)", type: "shared", ownerID: owner) }
        let (names, firstOnly) = try await withLiveSandbox(sandbox) { credentials in
            let client = try credentials.client(settings: directSettings)
            defer { Task { await client.shutdown() } }
            let names = try await client.spaces(limit: 10).collect().map(\.name)
            var iterator = client.spaces(type: "managed", limit: 1).makeAsyncIterator()
            let firstOnly = try await iterator.next()?.name
            return (names, firstOnly)
        }
        #expect(names.count == 253 && Set(names).count == 253)
        #expect(names.contains("Team 249"))
        #expect(firstOnly == "Sales Published")
    }

    @Test("apps, scripts, data files (streamed multipart, replace, 409), temp contents with Range, reloads to their final state")
    func resources() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let directory = NSTemporaryDirectory() + "qc-rest-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let csv = directory + "/orders.csv"
        try Data("id,amount\n1,2.5\n2,7\n".utf8).write(to: URL(fileURLWithPath: csv))
        try await withLiveSandbox(sandbox) { credentials in
            let client = try credentials.client(oauth: true, settings: directSettings)
            defer { Task { await client.shutdown() } }
            let me = try await client.me()
            #expect(me.id == credentials.userID && me.status == "active")
            // The name filter matches parts of names: "Sales" also finds "Sales Published" and "Sales Data".
            let space = try #require(try await client.spaces(name: "Sales").collect().first { $0.name == "Sales" })
            let app = try await client.createApp(name: "Orders", spaceID: space.id, description: "made by a test")
            #expect(app.name == "Orders" && app.attributes.spaceId == space.id)
            #expect(try await client.items(spaceID: space.id).collect().contains { $0.resourceId == app.id })
            try await client.setScript(appID: app.id, script: "Orders:\nLOAD * FROM [lib://DataFiles/orders.csv] (txt, utf8, embedded labels, delimiter is ',');",
                                       versionMessage: "v1")
            #expect(try await client.script(appID: app.id).script?.contains("Orders:") == true)
            let file = try await client.uploadDataFile(name: "orders.csv", source: .file(path: csv))
            #expect(file.size == 20)
            let duplicate = await #expect(throws: QlikAPIError.self) { _ = try await client.uploadDataFile(name: "orders.csv", source: .bytes(ByteBuffer(string: "x"))) }
            #expect(duplicate?.kind == .conflict)
            let reload = try await client.createReload(appID: app.id)
            let done = try await client.waitForReload(id: reload.id, interval: .milliseconds(10))
            #expect(done.status == .succeeded, "\(done.log ?? "")")
            let metadata = try await client.dataModelMetadata(appID: app.id)
            #expect(metadata.tables?.first?.name == "Orders" && metadata.tables?.first?.no_of_rows == 2)
            #expect(try await client.lineage(appID: app.id).isEmpty == false)
            let replaced = try await client.replaceDataFile(id: file.id, source: .bytes(ByteBuffer(string: "id,amount\n3,9\n")))
            #expect(replaced.id == file.id && replaced.size == 14)
            let quotas = try await client.dataFileQuotas()
            #expect(quotas.maxFileSize == 500 << 20)
            let temp = try await client.uploadTempContent(filename: "big.csv", source: .bytes(ByteBuffer(string: "0123456789")))
            let collected = Collected()
            try await client.downloadTempContent(id: temp, offset: 4) { await collected.add($0) }
            #expect(await collected.text == "456789")
            let fromTemp = try await client.uploadDataFile(name: "big.csv", source: nil, tempContentID: temp)
            #expect(fromTemp.size == 10)
            try await client.deleteDataFile(id: fromTemp.id)
            let gone = await #expect(throws: QlikAPIError.self) { _ = try await client.dataFile(id: fromTemp.id) }
            #expect(gone?.kind == .notFound)
            try await client.deleteApp(id: app.id)
        }
    }

    actor Collected {
        var bytes = ByteBuffer()
        func add(_ chunk: ByteBuffer) { var chunk = chunk; bytes.writeBuffer(&chunk) }
        var text: String { String(buffer: bytes) }
    }
}

@Suite("Proxy settings from the environment")
struct ProxyEnvironmentTests {
    @Test("HTTPS_PROXY for https, HTTP_PROXY for http, lower-case names too, credentials kept out of messages")
    func parsing() throws {
        let environment = ProxyEnvironment(environment: ["https_proxy": "http://alice:s3cret@proxy.corp:3128", "HTTP_PROXY": "proxy.corp:8080"])
        let https = try #require(try environment.proxy(forHost: "acme.eu.qlikcloud.com", scheme: "https"))
        #expect(https.host == "proxy.corp" && https.port == 3128 && !https.description.contains("s3cret"))
        #expect(try environment.proxy(forHost: "x", scheme: "http")?.port == 8080)
        let bad = #expect(throws: TransportFailure.self) { _ = try ProxyEnvironment(environment: ["HTTPS_PROXY": "socks5://bob:pw@p:1"]).proxy(forHost: "h", scheme: "https") }
        #expect(bad?.description.contains("socks5") == true && bad?.description.contains("pw") == false)
    }

    @Test("NO_PROXY bypasses exact hosts, domain suffixes with or without a dot, and everything with *",
          arguments: [("qlikcloud.com", true), (".eu.qlikcloud.com", true), ("acme.eu.qlikcloud.com", true), ("other.com", false), ("*", true),
                      ("cloud.com", false)])
    func noProxy(entry: String, bypassed: Bool) throws {
        let environment = ProxyEnvironment(environment: ["HTTPS_PROXY": "http://p:1", "NO_PROXY": "localhost, \(entry)"])
        #expect((try environment.proxy(forHost: "acme.eu.qlikcloud.com", scheme: "https") == nil) == bypassed)
        #expect(try environment.proxy(forHost: "localhost", scheme: "https") == nil)
    }
}
