import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox engine: the Global class")
struct EngineGlobalTests {
    private static func result(_ reply: [String: Any]) -> [String: Any] { reply["result"] as? [String: Any] ?? [:] }
    private static func errorCode(_ reply: [String: Any]) -> Int? { (reply["error"] as? [String: Any])?["code"] as? Int }

    @Test("version and product methods answer qReturn strings and booleans as the schema defines")
    func versions() async throws {
        let sandbox = await QlikCloudSandbox.make()
        var session = EngineConversation(tenant: sandbox.tenant, appID: "a", userID: "u")
        #expect((Self.result(await EngineConversationTests.call(&session, 1, "EngineVersion"))["qVersion"] as? [String: Any])?["qComponentVersion"] as? String == "12.2100.0")
        #expect(Self.result(await EngineConversationTests.call(&session, 2, "ProductVersion"))["qReturn"] as? String == "12.2100.0")
        #expect(Self.result(await EngineConversationTests.call(&session, 3, "QTProduct"))["qReturn"] as? String == "Qlik Sense")
        #expect(Self.result(await EngineConversationTests.call(&session, 4, "OSName"))["qReturn"] as? String == "linux")
        #expect(Self.result(await EngineConversationTests.call(&session, 5, "IsDesktopMode"))["qReturn"] as? Bool == false)
        #expect(Self.result(await EngineConversationTests.call(&session, 6, "AllowCreateApp"))["qReturn"] as? Bool == true)
        let codePages = Self.result(await EngineConversationTests.call(&session, 7, "GetSupportedCodePages"))["qCodePages"] as? [[String: Any]]
        #expect(codePages?.first?["qNumber"] as? Int == 65001)
    }

    @Test("GetAuthenticatedUser names the signed-in user's subject in the engine's 'UserDirectory=; UserId=' form")
    func authenticatedUser() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let user = try #require(await sandbox.tenant.usersByCreation.first)
        var session = EngineConversation(tenant: sandbox.tenant, appID: "a", userID: user.id)
        let reply = await EngineConversationTests.call(&session, 1, "GetAuthenticatedUser")
        #expect(Self.result(reply)["qReturn"] as? String == "UserDirectory=; UserId=\(user.subject)")
    }

    @Test("GetDocList lists the apps in spaces and the user's own personal apps, not another user's personal apps")
    func docList() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let user = try #require(await sandbox.tenant.usersByCreation.first)
        let other = await sandbox.tenant.addUser(name: "Other", email: "other@example.com")
        let mine = await sandbox.tenant.addApp(name: "Mine", spaceID: nil, ownerID: user.id)
        let theirs = await sandbox.tenant.addApp(name: "Theirs", spaceID: nil, ownerID: other.id)
        var session = EngineConversation(tenant: sandbox.tenant, appID: mine.id, userID: user.id)
        let entries = try #require(Self.result(await EngineConversationTests.call(&session, 1, "GetDocList"))["qDocList"] as? [[String: Any]])
        let ids = entries.compactMap { $0["qDocId"] as? String }
        #expect(ids.contains(mine.id) && !ids.contains(theirs.id))
        let expected = await sandbox.tenant.apps.filter { $0.spaceID != nil || $0.ownerID == user.id }.map(\.id)
        #expect(Set(ids) == Set(expected))
        let entry = try #require(entries.first { $0["qDocId"] as? String == mine.id })
        #expect(entry["qDocName"] as? String == "Mine" && entry["qFileTime"] as? Double != nil)
    }

    @Test("GetActiveDoc answers the open doc's handle, and error 1017 (app not open) before OpenDoc")
    func activeDoc() async throws {
        let (sandbox, app) = try await EngineConversationTests.sandboxWithOrders()
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: "u")
        #expect(Self.errorCode(await EngineConversationTests.call(&session, 1, "GetActiveDoc")) == 1017)
        _ = await EngineConversationTests.call(&session, 2, "OpenDoc", [app.id])
        let active = Self.result(await EngineConversationTests.call(&session, 3, "GetActiveDoc"))["qReturn"] as? [String: Any]
        #expect(active?["qHandle"] as? Int == 1 && active?["qGenericId"] as? String == app.id)
    }

    @Test("OpenDoc of another app is error 1003 (app not found); a second OpenDoc is 1002 (app already open)")
    func openDocErrors() async throws {
        let (sandbox, app) = try await EngineConversationTests.sandboxWithOrders()
        var session = EngineConversation(tenant: sandbox.tenant, appID: app.id, userID: "u")
        let missing = await EngineConversationTests.call(&session, 1, "OpenDoc", ["qDocName": "no-such-app"])
        #expect(Self.errorCode(missing) == 1003 && (missing["error"] as? [String: Any])?["parameter"] as? String == "no-such-app")
        _ = await EngineConversationTests.call(&session, 2, "OpenDoc", [app.id])
        #expect(Self.errorCode(await EngineConversationTests.call(&session, 3, "OpenDoc", [app.id])) == 1002)
    }

    @Test("GetUniqueID answers a new id each call; a method outside the sandbox's Global set is -32601")
    func uniqueIDs() async throws {
        let sandbox = await QlikCloudSandbox.make()
        var session = EngineConversation(tenant: sandbox.tenant, appID: "a", userID: "u")
        let first = Self.result(await EngineConversationTests.call(&session, 1, "GetUniqueID"))["qUniqueID"] as? String
        let second = Self.result(await EngineConversationTests.call(&session, 2, "GetUniqueID"))["qUniqueID"] as? String
        #expect(first != nil && first != second)
        #expect(Self.errorCode(await EngineConversationTests.call(&session, 3, "ShutdownProcess")) == -32601)
    }
}
