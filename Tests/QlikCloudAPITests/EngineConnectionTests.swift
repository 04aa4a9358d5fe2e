import NIOCore
import Testing
@testable import QlikCloudAPI

@Suite("Engine connection routing")
struct EngineConnectionTests {
    @Test("a message that is not JSON-RPC ends the session with a clear error instead of leaving callers waiting")
    func malformed() async throws {
        let connection = EngineConnection()
        await connection.deliver(ByteBuffer(string: "not json"))
        let error = await #expect(throws: EngineError.self) { try await connection.waitUntilConnected() }
        #expect(error?.description.contains("not JSON-RPC") == true)
    }

    @Test("OnConnected releases those waiting for it")
    func connected() async throws {
        let connection = EngineConnection()
        await connection.deliver(ByteBuffer(string: #"{"jsonrpc":"2.0","method":"OnConnected","params":{"qSessionState":"SESSION_CREATED"}}"#))
        try await connection.waitUntilConnected()
    }
}
