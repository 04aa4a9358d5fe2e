import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import QlikCloudSandbox

@Suite("The sandbox meters REST requests as Qlik Cloud does: a tier's per-minute limit over a rolling five-minute window")
struct SandboxRateLimitTests {
    @Test("a burst may spend five minutes' budget at once; then each refusal's Retry-After is when the oldest requests leave the window")
    func rollingFiveMinuteWindow() async throws {
        let clock = SandboxIdentityTests.ManualClock()
        // 2 a minute: 10 in any five minutes.
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(tier1PerMinute: 2), clock: { clock.now })
        let key = sandbox.credentials(port: 0).apiKey
        try await sandbox.application().test(.router) { client in
            /// Sends `count` requests; the status and Retry-After of each.
            func me(_ count: Int) async throws -> [(status: HTTPResponse.Status, retryAfter: Int?)] {
                var answers: [(status: HTTPResponse.Status, retryAfter: Int?)] = []
                for _ in 0..<count {
                    answers.append(try await client.execute(uri: "/api/v1/users/me", method: .get, headers: Wire.bearer(key)) { response in
                        (response.status, response.headers[.retryAfter].flatMap { Int($0) })
                    })
                }
                return answers
            }
            let first = try await me(4)
            #expect(first.allSatisfy { $0.status == .ok })
            clock.advance(100)
            // A minute and more later the window has not started anew: six more fill it, the next waits for the first four.
            let burst = try await me(7)
            #expect(burst.prefix(6).allSatisfy { $0.status == .ok })
            #expect(burst.last?.status == .tooManyRequests && burst.last?.retryAfter == 200)
            clock.advance(200)
            let later = try await me(5)
            #expect(later.prefix(4).allSatisfy { $0.status == .ok })
            #expect(later.last?.status == .tooManyRequests && later.last?.retryAfter == 100)
        }
    }
}
