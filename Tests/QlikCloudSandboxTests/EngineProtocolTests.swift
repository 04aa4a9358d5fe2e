import Foundation
import HummingbirdWSClient
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: JSON-RPC protocol behaviour")
struct EngineProtocolTests {
    /// One raw request message and its reply, written and parsed back as on the socket.
    static func send(_ session: inout EngineConversation, _ message: [String: Any]) async -> [String: Any]? {
        guard let reply = await session.handle(message) else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(JSONWriter.serialize(reply).utf8))) as? [String: Any]
    }

    private static func error(_ reply: [String: Any]?) -> (code: Int?, parameter: String?) {
        let error = reply?["error"] as? [String: Any]
        return (error?["code"] as? Int, error?["parameter"] as? String)
    }

    @Test("ids come back as sent: strings, integers and fractions; no id is a notification with no answer")
    func ids() async throws {
        var session = EngineConversation(tenant: Tenant(configuration: SandboxConfiguration()), appID: "a", userID: "u")
        #expect(await Self.send(&session, ["jsonrpc": "2.0", "id": "req-7", "method": "EngineVersion", "handle": -1])?["id"] as? String == "req-7")
        #expect(await Self.send(&session, ["jsonrpc": "2.0", "id": 2.5, "method": "EngineVersion", "handle": -1])?["id"] as? Double == 2.5)
        #expect(await Self.send(&session, ["jsonrpc": "2.0", "method": "EngineVersion", "handle": -1]) == nil)
        // As a client's parser hands them over: a large integer keeps every digit.
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(#"{"id":9007199254740993,"method":"EngineVersion","handle":-1}"#.utf8)) as? [String: Any])
        let reply = try #require(await session.handle(parsed))
        #expect(JSONWriter.serialize(reply).contains(#""id":9007199254740993"#))
    }

    @Test("a client that sends the same id on every request gets exactly one answer per request, in order, over the socket")
    func sameIDEveryTime() async throws {
        let (sandbox, app) = try await EngineConversationTests.sandboxWithOrders()
        let replies = Replies()
        try await withLiveSandbox(sandbox) { credentials in
            let url = credentials.baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/app/\(app.id)"
            try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: [.authorization: "Bearer \(credentials.apiKey)"]),
                                              logger: EngineWebSocketTests.logger) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
                _ = try await messages.next() // OnConnected
                for method in ["OpenDoc", "ProductVersion", "GetActiveDoc"] {
                    let params: [Any] = method == "OpenDoc" ? [app.id] : []
                    let request: [String: Any] = ["jsonrpc": "2.0", "id": 1, "handle": -1, "method": method, "params": params]
                    try await outbound.write(.text(String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)))
                    // Exactly one reply per call: read one, then send the next.
                    if case .text(let text)? = try await messages.next() { await replies.add(text) }
                }
            }
        }
        let texts = await replies.texts
        let objects = try texts.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.count == 3 && objects.allSatisfy { $0["id"] as? Int == 1 })
        #expect(((objects[1]["result"] as? [String: Any])?["qReturn"] as? String) == "12.2100.0")
        #expect((((objects[2]["result"] as? [String: Any])?["qReturn"] as? [String: Any])?["qGenericId"] as? String) == app.id)
    }

    @Test("a request without a method or with a handle that is no integer is -32600 naming what is wrong")
    func invalidRequests() async throws {
        var session = EngineConversation(tenant: Tenant(configuration: SandboxConfiguration()), appID: "a", userID: "u")
        let noMethod = Self.error(await Self.send(&session, ["jsonrpc": "2.0", "id": 1, "handle": -1]))
        #expect(noMethod.code == -32600 && noMethod.parameter == "method")
        let badHandle = Self.error(await Self.send(&session, ["jsonrpc": "2.0", "id": 2, "method": "EngineVersion", "handle": "-1"]))
        #expect(badHandle.code == -32600 && badHandle.parameter == "handle")
        let badParams = Self.error(await Self.send(&session, ["jsonrpc": "2.0", "id": 3, "method": "EngineVersion", "handle": -1, "params": "x"]))
        #expect(badParams.code == -32602 && badParams.parameter == "params")
    }

    @Test("a message that is not JSON is -32700; JSON that is not one request object (a batch array) is -32600")
    func unparsable() {
        func code(_ text: String) -> Int? {
            guard case .refused(let answer) = EngineRoutes.incoming(text) else { return nil }
            return (answer["error"] as? [String: Any])?["code"] as? Int
        }
        #expect(code("{not json") == -32700)
        #expect(code(#"[{"id":1,"method":"EngineVersion"}]"#) == -32600)
        if case .request(let request) = EngineRoutes.incoming(#"{"id":1,"method":"EngineVersion"}"#) { #expect(request["method"] as? String == "EngineVersion") }
        else { Issue.record("a request object was refused") }
    }

    @Test("a parameter of another JSON type than the schema's is -32602 naming the parameter, by position and by name")
    func parameterTypes() async throws {
        let (sandbox, app) = try await EngineConversationTests.sandboxWithOrders()
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: "u")
        _ = await EngineConversationTests.call(&session, 1, "OpenDoc", [app.id])
        let positional = Self.error(await EngineConversationTests.call(&session, 2, "GetTableData", handle: 1, ["5", 3, false, "Orders"]))
        #expect(positional.code == -32602 && positional.parameter == "qOffset")
        let named = Self.error(await EngineConversationTests.call(&session, 3, "GetTableData", handle: 1, ["qOffset": 0, "qRows": 3, "qSyntheticMode": false, "qTableName": 7]))
        #expect(named.code == -32602 && named.parameter == "qTableName")
        let openDoc = Self.error(await EngineConversationTests.call(&session, 4, "OpenDoc", [42]))
        #expect(openDoc.code == -32602 && openDoc.parameter == "qDocName")
    }

    @Test("with delta, the answer says so; the first replaces the root and the next ones patch the previous result of the method on that handle")
    func delta() async throws {
        let (sandbox, app) = try await EngineConversationTests.sandboxWithOrders()
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: "u")
        _ = await EngineConversationTests.call(&session, 1, "OpenDoc", [app.id])
        func deltaCall(_ id: Int, _ method: String, _ params: [Any] = []) async -> (flag: Bool?, result: [String: Any]) {
            let reply = await Self.send(&session, ["jsonrpc": "2.0", "id": id, "method": method, "handle": 1, "params": params, "delta": true])
            return (reply?["delta"] as? Bool, reply?["result"] as? [String: Any] ?? [:])
        }
        let original = await sandbox.tenant.app(app.id)?.script ?? ""
        let first = await deltaCall(2, "GetScript")
        let patches = try #require(first.result["qScript"] as? [[String: Any]])
        #expect(first.flag == true)
        #expect(patches.count == 1 && patches[0]["op"] as? String == "replace" && patches[0]["path"] as? String == "/" && patches[0]["value"] as? String == original)
        #expect(((await deltaCall(3, "GetScript")).result["qScript"] as? [Any])?.isEmpty == true)
        _ = await EngineConversationTests.call(&session, 4, "SetScript", handle: 1, ["LOAD 1 AS X AUTOGENERATE 1;"])
        let changed = try #require((await deltaCall(5, "GetScript")).result["qScript"] as? [[String: Any]])
        #expect(changed.count == 1 && changed[0]["value"] as? String == "LOAD 1 AS X AUTOGENERATE 1;")
        // Other params, same method: patched against the previous GetTableData (rows 0-1), as enigma.js caches per method.
        _ = await deltaCall(6, "GetTableData", [0, 2, false, "Orders"])
        let next = try #require((await deltaCall(7, "GetTableData", [1, 2, false, "Orders"])).result["qData"] as? [[String: Any]])
        #expect(!next.isEmpty && next.allSatisfy { ($0["path"] as? String)?.hasPrefix("/0/") == true || ($0["path"] as? String)?.hasPrefix("/1/") == true })
        // The same call without delta answers the value itself, and says nothing of delta.
        let plain = await EngineConversationTests.call(&session, 8, "GetScript", handle: 1)
        #expect((plain["result"] as? [String: Any])?["qScript"] as? String == "LOAD 1 AS X AUTOGENERATE 1;" && plain["delta"] == nil)
    }

    @Test("a successful reload lists the doc and every open object in the answer's change list")
    func reloadChangesAll() async throws {
        let (sandbox, app) = try await EngineConversationTests.sandboxWithOrders()
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: "u")
        _ = await EngineConversationTests.call(&session, 1, "CreateSessionApp")
        _ = await EngineConversationTests.call(&session, 2, "SetScript", handle: 1, ["T:\nLOAD * INLINE [A, B\n1, x\n2, y];"])
        _ = await EngineConversationTests.call(&session, 3, "DoReload", handle: 1)
        let definition: [String: Any] = ["qInfo": ["qType": "x"], "qHyperCubeDef": ["qDimensions": [["qDef": ["qFieldDefs": ["A"]]]], "qMeasures": [Any]()]]
        let created = await EngineConversationTests.call(&session, 4, "CreateSessionObject", handle: 1, [definition])
        let handle = try #require(((created["result"] as? [String: Any])?["qReturn"] as? [String: Any])?["qHandle"] as? Int)
        let reloaded = await EngineConversationTests.call(&session, 5, "DoReload", handle: 1)
        #expect(reloaded["change"] as? [Int] == [1, handle])
        #expect(await EngineConversationTests.call(&session, 6, "GetScript", handle: 1)["change"] == nil)
    }

    @Test("destroying a session object lists its handle in the answer's close list, and the handle is gone")
    func closeList() async throws {
        let (sandbox, app) = try await EngineConversationTests.sandboxWithOrders()
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: "u")
        _ = await EngineConversationTests.call(&session, 1, "OpenDoc", [app.id])
        let definition: [String: Any] = ["qInfo": ["qId": "cube-1", "qType": "x"], "qHyperCubeDef": ["qDimensions": [["qDef": ["qFieldDefs": ["Region"]]]], "qMeasures": [Any]()]]
        let created = await EngineConversationTests.call(&session, 2, "CreateSessionObject", handle: 1, [definition])
        let handle = try #require(((created["result"] as? [String: Any])?["qReturn"] as? [String: Any])?["qHandle"] as? Int)
        let destroyed = await EngineConversationTests.call(&session, 3, "DestroySessionObject", handle: 1, ["cube-1"])
        #expect(destroyed["close"] as? [Int] == [handle])
        #expect(Self.error(await EngineConversationTests.call(&session, 4, "GetLayout", handle: handle)).code == -32602)
    }
}

@Suite("JSON Patch diff (the engine's delta protocol)")
struct JSONPatchDiffTests {
    @Test("objects: removed keys, added keys and changed values, keys escaped as JSON Pointer tokens")
    func objects() {
        let patches = JSONPatchDiff.patches(from: ["a": 1, "b": ["c": "x"], "gone": true], to: ["a": 2, "b": ["c": "x", "d/e~": 3]])
        #expect(patches.map { "\($0["op"] ?? "") \($0["path"] ?? "")" } == ["remove /gone", "replace /a", "add /b/d~1e~0"])
    }

    @Test("arrays: common elements patched in place, surplus removed from the end backwards, new ones added")
    func arrays() {
        let shorter = JSONPatchDiff.patches(from: ["l": [1, 2, 3, 4]], to: ["l": [1, 9]])
        #expect(shorter.map { "\($0["op"] ?? "") \($0["path"] ?? "")" } == ["replace /l/1", "remove /l/3", "remove /l/2"])
        let longer = JSONPatchDiff.patches(from: [1], to: [1, 2])
        #expect(longer.count == 1 && longer[0]["path"] as? String == "/1" && longer[0]["value"] as? Int == 2)
    }

    @Test("no previous value: one replace of the root; equal values: no operations")
    func rootAndEqual() {
        #expect(JSONPatchDiff.patches(from: nil, to: ["x": 1]).first?["path"] as? String == "/")
        #expect(JSONPatchDiff.patches(from: ["x": [1, "a", NSNull()]], to: ["x": [1, "a", NSNull()]]).isEmpty)
    }
}
