import Foundation
import Testing
@testable import QlikCloudSandbox

/// Numbers a client chooses must never trap the sandbox: each would otherwise end the process for every client.
@Suite("Sandbox engine: numbers beyond Int's range in requests")
struct EngineHostileNumbersTests {
    @Test("a handle of 1e300 is -32600 naming the handle, not a crash")
    func hugeHandle() async throws {
        var session = EngineConversation(tenant: Tenant(configuration: SandboxConfiguration()), appID: "a", userID: "u")
        let reply = await EngineConversationTests.call(&session, 1, "EngineVersion", handle: -1, [Any]())
        #expect(reply["result"] != nil)
        let answer = await session.handle(["jsonrpc": "2.0", "id": 2, "method": "EngineVersion", "handle": 1e300, "params": [Any]()])
        let error = try #require(answer?["error"] as? [String: Any])
        #expect(error["code"] as? Int == -32600 && error["parameter"] as? String == "handle")
    }

    @Test("hypercube and list object pages of Int.max rows or columns are clipped to the data, not a crash")
    func hugePages() async throws {
        let (sandbox, app) = try await EngineConversationTests.sandboxWithOrders(rows: 20)
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: "u")
        _ = await EngineConversationTests.call(&session, 1, "OpenDoc", [app.id])
        let cube = await EngineConversationTests.call(&session, 2, "CreateSessionObject", handle: 1, [["qInfo": ["qType": "x"], "qHyperCubeDef": [
            "qDimensions": [["qDef": ["qFieldDefs": ["OrderID"]]]], "qMeasures": [Any](), "qInitialDataFetch": [Any](),
        ]]])
        let cubeHandle = try #require(((cube["result"] as? [String: Any])?["qReturn"] as? [String: Any])?["qHandle"] as? Int)
        // A zero-wide page passes the cell limit; its height then reaches the page code whole.
        let tall = await EngineConversationTests.call(&session, 3, "GetHyperCubeData", handle: cubeHandle,
                                                 ["/qHyperCubeDef", [["qTop": 5, "qLeft": 0, "qWidth": 0, "qHeight": Int.max]]])
        #expect(((tall["result"] as? [String: Any])?["qDataPages"] as? [Any])?.count == 1)
        let wide = await EngineConversationTests.call(&session, 4, "GetHyperCubeData", handle: cubeHandle,
                                                 ["/qHyperCubeDef", [["qTop": 0, "qLeft": 0, "qWidth": Int.max, "qHeight": Int.max]]])
        #expect((wide["error"] as? [String: Any])?["code"] as? Int == 7009)
        let list = await EngineConversationTests.call(&session, 5, "CreateSessionObject", handle: 1, [["qInfo": ["qType": "x"], "qListObjectDef": [
            "qDef": ["qFieldDefs": ["Region"]], "qInitialDataFetch": [Any](),
        ]]])
        let listHandle = try #require(((list["result"] as? [String: Any])?["qReturn"] as? [String: Any])?["qHandle"] as? Int)
        let column = await EngineConversationTests.call(&session, 6, "GetListObjectData", handle: listHandle,
                                                   ["/qListObjectDef", [["qTop": 1, "qLeft": 0, "qWidth": 0, "qHeight": Int.max]]])
        #expect(column["error"] == nil)
    }
}
