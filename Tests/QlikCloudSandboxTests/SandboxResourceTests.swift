import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox REST resources and paging")
struct SandboxResourceTests {
    @Test("spaces page as Qlik's lists do: data, absolute links, cursors that survive inserts")
    func spacePaging() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let credentials = sandbox.credentials(port: 0)
        for index in 0..<22 { _ = await sandbox.tenant.addSpace(name: "Team \(index)", type: "shared", ownerID: credentials.userID) }
        try await sandbox.application().test(.router) { client in
            var uri = "/api/v1/spaces?limit=10"
            var names: [String] = []
            var pages = 0
            while true {
                let (data, next, prev) = try await client.execute(uri: uri, method: .get, headers: Wire.bearer(credentials.apiKey)) { (response: TestResponse) throws in
                    #expect(response.status == .ok)
                    let body = try Wire.json(response.body)
                    let links = try #require(body["links"] as? [String: Any])
                    let selfLink = try #require((links["self"] as? [String: Any])?["href"] as? String)
                    #expect(selfLink.hasPrefix("http://"))
                    return (try #require(body["data"] as? [[String: Any]]),
                            (links["next"] as? [String: Any])?["href"] as? String,
                            (links["prev"] as? [String: Any])?["href"] as? String)
                }
                names += data.compactMap { $0["name"] as? String }
                #expect((pages == 0) == (prev == nil))
                pages += 1
                if pages == 1 {
                    // A space created while pages are read does not shift the pages already issued.
                    _ = await sandbox.tenant.addSpace(name: "Late", type: "shared", ownerID: credentials.userID)
                }
                guard let next else { break }
                let url = try #require(URL(string: next))
                #expect(url.scheme == "http" && url.query?.contains("limit=10") == true)
                uri = url.path + "?" + (url.query ?? "")
            }
            #expect(pages == 3)
            #expect(names.count == 3 + 22 + 1)
            #expect(Set(names).count == names.count)
        }
    }

    @Test("limit outside 1...100 and foreign cursors are 400", arguments: ["limit=0", "limit=101", "limit=x", "next=bogus"])
    func badPaging(_ query: String) async throws {
        let sandbox = await QlikCloudSandbox.make()
        try await sandbox.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/spaces?\(query)", method: .get, headers: Wire.bearer(sandbox.credentials(port: 0).apiKey)) { (response: TestResponse) throws in
                #expect(response.status == .badRequest)
                #expect(try Wire.firstError(response.body)["code"] as? String == "HTTP-400")
            }
        }
    }

    @Test("spaces filter by type and name, and one space reads by id")
    func spaceFilters() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        try await sandbox.application().test(.router) { client in
            let managed = try await client.execute(uri: "/api/v1/spaces?type=managed", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                try #require(Wire.json(response.body)["data"] as? [[String: Any]])
            }
            #expect(managed.map { $0["type"] as? String } == ["managed"])
            let id = try #require(managed.first?["id"] as? String)
            try await client.execute(uri: "/api/v1/spaces/\(id)", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                #expect(try Wire.json(response.body)["name"] as? String == "Sales Published")
            }
            try await client.execute(uri: "/api/v1/spaces/doesnotexist", method: .get, headers: Wire.bearer(key)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/v1/spaces?name=data", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                #expect((try Wire.json(response.body)["data"] as? [[String: Any]])?.count == 1)
            }
        }
    }

    @Test("apps are created, read, renamed and deleted, and listed as items by space")
    func appsAndItems() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        let shared = try #require(await sandbox.tenant.spaces.first { $0.type == "shared" })
        let json: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
        try await sandbox.application().test(.router) { client in
            let id = try await client.execute(uri: "/api/v1/apps", method: .post, headers: json,
                                              body: ByteBuffer(string: #"{"attributes":{"name":"Orders","spaceId":"\#(shared.id)"}}"#)) { (response: TestResponse) throws in
                #expect(response.status == .ok)
                let attributes = try #require(Wire.json(response.body)["attributes"] as? [String: Any])
                #expect(attributes["name"] as? String == "Orders")
                return try #require(attributes["id"] as? String)
            }
            try await client.execute(uri: "/api/v1/items?resourceType=app&spaceId=\(shared.id)&noActions=False", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                let items = try #require(Wire.json(response.body)["data"] as? [[String: Any]])
                #expect(Set(items.compactMap { $0["name"] as? String }) == ["Sales Analysis", "Orders"])
                #expect(items.allSatisfy { $0["resourceType"] as? String == "app" && $0["spaceId"] as? String == shared.id })
                #expect(items.contains { $0["resourceId"] as? String == id })
            }
            try await client.execute(uri: "/api/v1/apps/\(id)", method: .put, headers: json, body: ByteBuffer(string: #"{"attributes":{"name":"Orders 2"}}"#)) { (response: TestResponse) throws in
                #expect((try Wire.json(response.body)["attributes"] as? [String: Any])?["name"] as? String == "Orders 2")
            }
            try await client.execute(uri: "/api/v1/apps/\(id)", method: .delete, headers: Wire.bearer(key)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/apps/\(id)", method: .get, headers: Wire.bearer(key)) { #expect($0.status == .notFound) }
        }
    }

    static func multipart(name: String, content: String, boundary: String = "sandbox-test-boundary") -> (HTTPFields, ByteBuffer) {
        let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"File\"; filename=\"File\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            + content + "\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"Json\"\r\n\r\n{\"name\":\"\(name)\"}\r\n--\(boundary)--\r\n"
        return ([.contentType: "multipart/form-data; boundary=\(boundary)"], ByteBuffer(string: body))
    }

    @Test("data files: multipart upload, 409 on a duplicate name, replace, read, list, delete, quotas")
    func dataFiles() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        // The default tenant's sample files, one named orders.csv, are in the data space; this upload goes to the personal space.
        let seeded = await sandbox.tenant.dataFiles.reduce(0) { $0 + $1.content.count }
        let personal = await sandbox.tenant.personalConnectionID
        try await sandbox.application().test(.router) { client in
            var (headers, body) = Self.multipart(name: "orders.csv", content: "id,amount\n1,2.5\n")
            headers[.authorization] = "Bearer \(key)"
            let id = try await client.execute(uri: "/api/v1/data-files", method: .post, headers: headers, body: body) { (response: TestResponse) throws in
                #expect(response.status == .created)
                let file = try Wire.json(response.body)
                #expect(file["name"] as? String == "orders.csv")
                #expect(file["size"] as? Int == 16)
                #expect(file["createdDate"] is String)
                return try #require(file["id"] as? String)
            }
            try await client.execute(uri: "/api/v1/data-files", method: .post, headers: headers, body: body) { (response: TestResponse) throws in
                #expect(response.status == .conflict)
            }
            var (replaceHeaders, replacement) = Self.multipart(name: "orders.csv", content: "id,amount\n1,2.5\n2,7\n")
            replaceHeaders[.authorization] = "Bearer \(key)"
            try await client.execute(uri: "/api/v1/data-files/\(id)", method: .put, headers: replaceHeaders, body: replacement) { (response: TestResponse) throws in
                #expect(response.status == .created)
                #expect(try Wire.json(response.body)["size"] as? Int == 20)
            }
            #expect(await sandbox.tenant.dataFile(id)?.content == Array("id,amount\n1,2.5\n2,7\n".utf8))
            // Without a connection, Qlik lists the caller's personal space; includeAllSpaces adds the spaces' files.
            try await client.execute(uri: "/api/v1/data-files?name=orders.csv", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                #expect((try Wire.json(response.body)["data"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            }
            try await client.execute(uri: "/api/v1/data-files?name=orders.csv&includeAllSpaces=true", method: .get, headers: Wire.bearer(key)) {
                (response: TestResponse) throws in
                #expect((try Wire.json(response.body)["data"] as? [[String: Any]])?.count == 2)
            }
            try await client.execute(uri: "/api/v1/data-files?name=orders.csv&connectionId=\(personal)", method: .get, headers: Wire.bearer(key)) {
                (response: TestResponse) throws in
                #expect((try Wire.json(response.body)["data"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            }
            try await client.execute(uri: "/api/v1/data-files/quotas", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                let quotas = try Wire.json(response.body)
                #expect(quotas["maxFileSize"] as? Int == 500 << 20)
                #expect(quotas["size"] as? Int == seeded + 20)
            }
            try await client.execute(uri: "/api/v1/data-files/\(id)", method: .delete, headers: Wire.bearer(key)) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/api/v1/data-files/\(id)", method: .get, headers: Wire.bearer(key)) { #expect($0.status == .notFound) }
        }
    }

    @Test("an upload above the quota is 413 and stores nothing")
    func quota() async throws {
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(maxFileSize: 10))
        let key = sandbox.credentials(port: 0).apiKey
        let before = await sandbox.tenant.dataFiles.map(\.id)
        try await sandbox.application().test(.router) { client in
            var (headers, body) = Self.multipart(name: "big.csv", content: String(repeating: "x", count: 11))
            headers[.authorization] = "Bearer \(key)"
            try await client.execute(uri: "/api/v1/data-files", method: .post, headers: headers, body: body) { (response: TestResponse) throws in
                #expect(response.status == .contentTooLarge)
            }
        }
        #expect(await sandbox.tenant.dataFiles.map(\.id) == before)
    }

    @Test("a live sandbox on an ephemeral loopback port reports its credentials")
    func live() async throws {
        let sandbox = await QlikCloudSandbox.make()
        try await sandbox.application().test(.live) { client in
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer(sandbox.credentials(port: 0).apiKey)) { (response: TestResponse) throws in
                #expect(response.status == .ok)
            }
        }
    }
}
