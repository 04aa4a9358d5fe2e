import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("ApplyPatches' JSON Patch (RFC 6902)")
struct JSONPatchTests {
    @Test("replace of a member that does not exist fails (invalid path, code 4) and adds nothing; add makes it")
    func replaceNeedsTarget() throws {
        let properties = JSONValue.object(["title": .string("Orders")])
        let error = #expect(throws: EngineConversation.RPCError.self) {
            try JSONPatch.applying([["qOp": "replace", "qPath": "/color", "qValue": "\"red\""]], to: properties)
        }
        #expect(error?.code == 4)
        let added = try JSONPatch.applying([["qOp": "add", "qPath": "/color", "qValue": "\"red\""]], to: properties)
        #expect(added == .object(["title": .string("Orders"), "color": .string("red")]))
        let replaced = try JSONPatch.applying([["qOp": "replace", "qPath": "/title", "qValue": "\"Sales\""]], to: properties)
        #expect(replaced == .object(["title": .string("Sales")]))
    }

    @Test("ApplyPatches with a replace of a missing member answers error 4 and leaves the object's properties as they were")
    func applyPatchesRefuses() async throws {
        let (sandbox, app) = try await EngineConversationTests.sandboxWithOrders()
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: "u")
        _ = await EngineConversationTests.call(&session, 1, "OpenDoc", [app.id])
        let object = try #require(await sandbox.tenant.app(app.id)?.objects.items.first { $0.engineClass == .genericObject })
        let opened = await EngineConversationTests.call(&session, 2, "GetObject", handle: 1, ["qId": object.id])
        let handle = try #require(((opened["result"] as? [String: Any])?["qReturn"] as? [String: Any])?["qHandle"] as? Int)
        let answer = await EngineConversationTests.call(&session, 3, "ApplyPatches", handle: handle, [[["qOp": "replace", "qPath": "/noSuchMember", "qValue": "1"]]])
        #expect((answer["error"] as? [String: Any])?["code"] as? Int == 4)
        #expect(await sandbox.tenant.app(app.id)?.objects.object(object.id)?.properties == object.properties)
    }
}
