import Foundation
import NIOCore
import Testing
@testable import QlikCloudSandbox
@testable import QlikCloudAPI
import TestTenants

@Suite("Engine sessions end: the tenant closing the socket, a missing OnConnected, a silent tenant")
struct EngineSessionEndTests {
    /// What each of `count` sessions opened at once ended with: the error's text, or "opened" when OpenDoc answered.
    static func outcomes(_ faults: SandboxFaults, count: Int, settings: TransportSettings = directSettings,
                         connectTimeout: Duration = .seconds(30)) async throws -> [String] {
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(faults: faults))
        let appID = await sandbox.addGeneratedApp(name: "Small", rows: 10, columns: 2, seed: 1)
        return try await withLiveSandbox(sandbox) { credentials in
            try await credentials.client(settings: settings).run { client in
                await withTaskGroup(of: String.self) { group in
                    for _ in 0..<count {
                        group.addTask {
                            do {
                                _ = try await EngineSession.withSession(client: client, appID: appID, connectTimeout: connectTimeout) { try await $0.openDoc() }
                                return "opened"
                            } catch {
                                return "\(error)"
                            }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
            }
        }
    }

    static func latency(_ delay: Duration) -> SandboxFaults {
        var faults = SandboxFaults()
        faults.engineMessageLatency = delay
        return faults
    }

    // Before the fix, 5 to 17 of 40 such sessions never ended (no frame and no end of input reached the reader).
    @Test("sessions whose socket closes right after OnConnected all end with the session-ended error (40 at once)")
    func closedAfterOnConnected() async throws {
        let ended = try await Self.outcomes(SandboxFaults(dropWebSocketAfterMessages: 1), count: 40, connectTimeout: .seconds(5))
        #expect(ended.count == 40)
        #expect(ended.allSatisfy { $0.contains("The engine session ended") || $0.contains("OnConnected message did not arrive")
            || $0.contains("the WebSocket upgrade did not complete") }, "\(ended)")
    }

    @Test("sessions whose socket closes at the upgrade, before OnConnected, all end (40 at once)")
    func closedAtUpgrade() async throws {
        let ended = try await Self.outcomes(SandboxFaults(dropWebSocketAfterMessages: 0), count: 40, connectTimeout: .seconds(5))
        #expect(ended.count == 40)
        #expect(ended.allSatisfy { $0.contains("The engine session ended") || $0.contains("OnConnected message did not arrive")
            || $0.contains("the WebSocket upgrade did not complete") }, "\(ended)")
    }

    @Test("a session without OnConnected by the connect deadline fails naming the host, what was missing and what to check")
    func connectDeadline() async throws {
        let ended = try await Self.outcomes(Self.latency(.seconds(3)), count: 1, connectTimeout: .milliseconds(500))
        let message = try #require(ended.first)
        // On a loaded machine the upgrade itself may miss a 0.5 s deadline: either part missing is named.
        #expect(message.contains("no engine session with 127.0.0.1 within 0.5 s: the socket opened but Qlik's OnConnected message did not arrive")
                    || message.contains("no engine session with 127.0.0.1 within 0.5 s: the WebSocket upgrade did not complete"), "\(message)")
        #expect(message.contains("proxy or firewall"))
    }

    @Test("a call the tenant does not answer within the per-call deadline fails with a timeout naming the method and the setting")
    func callDeadline() async throws {
        var settings = directSettings
        settings.engineCallTimeout = .seconds(1)
        // OnConnected comes after 2 s, OpenDoc's answer 2 s after it is asked: past the 1 s deadline.
        let ended = try await Self.outcomes(Self.latency(.seconds(2)), count: 1, settings: settings)
        let message = try #require(ended.first)
        #expect(message.contains("OpenDoc had no answer from 127.0.0.1 within 1 s"), "\(message)")
        #expect(message.contains(EngineSession.callTimeoutVariable))
    }

    @Test("the per-call deadline comes from the settings, else the environment in seconds, else 120 s; a bad value is refused by name; the connect deadline reads its own variable")
    func callTimeoutSetting() throws {
        var settings = TransportSettings()
        #expect(try EngineSession.callTimeout(settings, environment: [:]) == .seconds(120))
        #expect(try EngineSession.callTimeout(settings, environment: [EngineSession.callTimeoutVariable: "2.5"]) == .milliseconds(2500))
        let refused = #expect(throws: EngineError.self) { try EngineSession.callTimeout(settings, environment: [EngineSession.callTimeoutVariable: "soon"]) }
        #expect(refused?.description.contains("QLIK_CONNECTOR_ENGINE_CALL_TIMEOUT is 'soon': expected a number of seconds") == true)
        #expect(try EngineSession.deadline(EngineSession.connectTimeoutVariable, environment: [EngineSession.connectTimeoutVariable: "3"], default: .seconds(30)) == .seconds(3))
        settings.engineCallTimeout = .seconds(7)
        #expect(try EngineSession.callTimeout(settings, environment: [EngineSession.callTimeoutVariable: "soon"]) == .seconds(7))
    }

    @Test("when the session ends, every call waiting for its answer fails at once with that reason")
    func endFailsPending() async throws {
        let connection = EngineConnection()
        await connection.attach(send: { _ in })
        try await withThrowingTaskGroup(of: EngineError?.self) { group in
            for handle in 1...3 {
                group.addTask {
                    do throws(EngineError) { _ = try await connection.call(method: "GetLayout", handle: handle, params: "[]"); return nil } catch { return error }
                }
            }
            // The calls are written before they wait; the end arrives once all three are waiting or about to.
            while await connection.waitingCount < 3 { await Task.yield() }
            await connection.end(.connectionLost("the tenant closed the socket"))
            for try await failure in group { #expect(failure == .connectionLost("the tenant closed the socket")) }
        }
    }
}
