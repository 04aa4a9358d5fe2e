import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("ISO 8601 durations (API-key lifetimes)")
struct ISODurationTests {
    @Test("durations with components count their seconds")
    func accepted() throws {
        #expect(try ISODuration.seconds("P7D") == 7 * 86_400)
        #expect(try ISODuration.seconds("PT12H") == 12 * 3_600)
        #expect(try ISODuration.seconds("P1DT6H30M") == 86_400 + 6 * 3_600 + 30 * 60)
    }

    @Test("'P', 'PT' and 'P1DT' say no length of time and are refused with what is expected")
    func noComponent() {
        for text in ["P", "PT", "P1DT"] {
            let error = #expect(throws: ISODuration.Invalid.self) { try ISODuration.seconds(text) }
            #expect(error?.description.contains("'\(text)'") == true && error?.description.contains("such as P7D") == true)
        }
    }

    @Test("an API-key expiry or lifetime setting of 'PT' is 400 naming the expected form")
    func refusedOverREST() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        try await sandbox.application().test(.router) { client in
            let created = try await client.call(.post, "/api/v1/api-keys", key: key, json: #"{"description":"ci","expiry":"PT"}"#)
            #expect(created.status == .badRequest && String(buffer: created.body).contains("P7D"))
            let patch = #"[{"op":"replace","path":"/max_api_key_expiry","value":"PT"}]"#
            #expect(try await client.call(.patch, "/api/v1/api-keys/configs/\(sandbox.tenant.tenantID)", key: key, json: patch).status == .badRequest)
        }
    }
}
