import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox temporary contents")
struct SandboxTempContentTests {
    @Test("upload with Location, download whole and by Range, then a data file made from it")
    func flow() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        let content = String(repeating: "0123456789", count: 10)
        try await sandbox.application().test(.router) { client in
            let location = try await client.execute(uri: "/api/v1/temp-contents?filename=big.csv&ttl=60", method: .post,
                                                    headers: [.authorization: "Bearer \(key)", .contentType: "application/octet-stream"],
                                                    body: ByteBuffer(string: content)) { (response: TestResponse) throws in
                #expect(response.status == .created)
                return try #require(response.headers[.location])
            }
            let path = try #require(URL(string: location)).path
            let id = (path as NSString).lastPathComponent
            try await client.execute(uri: path, method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                #expect(response.status == .ok && String(buffer: response.body) == content)
            }
            for (range, expected, contentRange) in [("bytes=0-9", "0123456789", "bytes 0-9/100"), ("bytes=95-", "56789", "bytes 95-99/100"),
                                                    ("bytes=-3", "789", "bytes 97-99/100"), ("bytes=90-500", "0123456789", "bytes 90-99/100")] {
                try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(key)", .range: range]) { (response: TestResponse) throws in
                    #expect(response.status == .partialContent, "\(range)")
                    #expect(String(buffer: response.body) == expected, "\(range)")
                    #expect(response.headers[.contentRange] == contentRange, "\(range)")
                }
            }
            try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(key)", .range: "bytes=100-"]) { (response: TestResponse) throws in
                #expect(response.status == .rangeNotSatisfiable)
            }
            let boundary = "b0undary"
            let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"Json\"\r\n\r\n{\"name\":\"big.csv\",\"tempContentFileId\":\"\(id)\"}\r\n--\(boundary)--\r\n"
            try await client.execute(uri: "/api/v1/data-files", method: .post,
                                     headers: [.authorization: "Bearer \(key)", .contentType: "multipart/form-data; boundary=\(boundary)"],
                                     body: ByteBuffer(string: body)) { (response: TestResponse) throws in
                #expect(response.status == .created)
                #expect(try Wire.json(response.body)["size"] as? Int == 100)
            }
        }
    }

    @Test("expired contents are 410 Gone; a bad ttl is 400")
    func expiry() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        let item = try await sandbox.tenant.addTempContent(filename: "x", content: [1, 2, 3], ttl: 0.2)
        try await Task.sleep(for: .milliseconds(300))
        try await sandbox.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/temp-contents/\(item.id)", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                #expect(response.status == .gone)
                #expect(try Wire.firstError(response.body)["code"] as? String == "HTTP-410")
            }
            try await client.execute(uri: "/api/v1/temp-contents?ttl=0", method: .post, headers: Wire.bearer(key), body: ByteBuffer(string: "x")) {
                #expect($0.status == .badRequest)
            }
        }
    }
}
