import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import NIOCore
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox fault injection")
struct SandboxFaultTests {
    @Test("a share of answers become 502/503, deterministically from the seed")
    func serverErrors() async throws {
        var statuses: [[HTTPResponse.Status]] = []
        for _ in 0..<2 {
            let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(faults: SandboxFaults(serverErrorShare: 0.3, seed: 7)))
            let key = sandbox.credentials(port: 0).apiKey
            let run = try await sandbox.application().test(.router) { client in
                var run: [HTTPResponse.Status] = []
                for _ in 0..<200 {
                    run.append(try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer(key)) { $0.status })
                }
                return run
            }
            statuses.append(run)
        }
        #expect(statuses[0] == statuses[1])
        let failures = statuses[0].filter { $0 == .badGateway || $0 == .serviceUnavailable }.count
        #expect((40...80).contains(failures), "\(failures) of 200")
        #expect(statuses[0].allSatisfy { [.ok, .badGateway, .serviceUnavailable].contains($0) })
    }

    @Test("a 429 storm answers every request with Retry-After; latency delays answers")
    func stormAndLatency() async throws {
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(
            faults: SandboxFaults(latency: .milliseconds(50), rateLimitShare: 1, rateLimitRetryAfterSeconds: 3)))
        let key = sandbox.credentials(port: 0).apiKey
        try await sandbox.application().test(.router) { client in
            let start = ContinuousClock.now
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer(key)) { (response: TestResponse) throws in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "3")
            }
            #expect(ContinuousClock.now - start >= .milliseconds(50))
        }
    }

    @Test("tokens can expire long before the expires_in they announce")
    func earlyExpiry() async throws {
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(faults: SandboxFaults(tokenValidity: .milliseconds(100))))
        let credentials = sandbox.credentials(port: 0)
        try await sandbox.application().test(.router) { client in
            let token = try await client.execute(uri: "/oauth/token", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(
                string: #"{"grant_type":"client_credentials","client_id":"\#(credentials.clientID)","client_secret":"\#(credentials.clientSecret)"}"#
            )) { (response: TestResponse) throws in
                let json = try Wire.json(response.body)
                #expect(json["expires_in"] as? Int == 21600)
                return try #require(json["access_token"] as? String)
            }
            try await Task.sleep(for: .milliseconds(150))
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer(token)) { #expect($0.status == .unauthorized) }
        }
    }

    @Test("the engine socket is dropped after N messages")
    func dropWebSocket() async throws {
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(faults: SandboxFaults(dropWebSocketAfterMessages: 3)))
        let target = await sandbox.tenant.addApp(name: "Target", spaceID: nil, ownerID: sandbox.credentials(port: 0).userID)
        let replies = Replies()
        try await withLiveSandbox(sandbox) { credentials in
            let url = credentials.baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/app/\(target.id)"
            try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: [.authorization: "Bearer \(credentials.apiKey)"]),
                                              logger: EngineWebSocketTests.logger) { inbound, outbound, _ in
                for id in 1...5 {
                    let request: [String: Any] = ["jsonrpc": "2.0", "id": id, "handle": -1, "method": "EngineVersion", "params": [Any]()]
                    try await outbound.write(.text(String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)))
                }
                // The server closes the socket; the loop ends instead of waiting forever.
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .text(let text) = message { await replies.add(text) }
                }
            }
        }
        #expect(await replies.texts.count == 3)
    }
}
