import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Engine schema conformance")
struct EngineSchemaCheckTests {
    static func schema() throws -> EngineSchema { try EngineSchema.shared.get() }

    @Test("a result without a key the schema requires is named")
    func missingKey() throws {
        #expect(try Self.schema().problem(in: [:], of: "Global", "EngineVersion")?.contains("no qVersion") == true)
        #expect(try Self.schema().problem(in: [:], of: "Doc", "DoReload")?.contains("no qReturn") == true)
    }

    @Test("a value of the wrong JSON type is named by its key path and what the schema wants")
    func wrongType() throws {
        let problem = try Self.schema().problem(in: ["qDocList": [["qDocName": "ok"], ["qDocName": 5]]], of: "Global", "GetDocList")
        #expect(problem == "qDocList/1/qDocName: the schema wants a string, the answer has number 5")
    }

    @Test("a string outside the schema's enum is named with the values it allows")
    func badEnum() throws {
        let problem = try Self.schema().problem(in: ["qDocList": [["qUsage": "REPORTING"]]], of: "Global", "GetDocList")
        #expect(problem?.hasPrefix("qDocList/0/qUsage: the schema wants one of ANALYTICS, DATAFLOW_PREP") == true)
    }

    @Test("a key a closed struct does not define, or a result key the method does not have, is named")
    func unknownKeys() throws {
        #expect(try Self.schema().problem(in: ["qVersion": ["qComponentVersion": "1", "qBuild": 2]], of: "Global", "EngineVersion")
            == "qVersion/qBuild: NxEngineVersion has no property qBuild in the schema")
        #expect(try Self.schema().problem(in: ["qVersion": [:], "extra": 1], of: "Global", "EngineVersion")?.contains("has extra") == true)
    }

    @Test("nested structs are followed through references and arrays: a hypercube page's cell state is checked")
    func nested() throws {
        let page: [String: Any] = ["qMatrix": [[["qText": "EU", "qNum": "NaN", "qElemNumber": 0, "qState": "Q"]]], "qArea": ["qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 1]]
        let problem = try Self.schema().problem(in: ["qDataPages": [page]], of: "GenericObject", "GetHyperCubeData")
        #expect(problem?.hasPrefix("qDataPages/0/qMatrix/0/0/qState: the schema wants one of") == true)
    }

    @Test("sandboxes the test suite starts check every engine answer against the schema")
    func onInTests() {
        #expect(SandboxConfiguration().checksEngineAnswers == (ProcessInfo.processInfo.environment["QLIK_SANDBOX_CHECK_ENGINE_ANSWERS"] ?? "1" == "1"))
    }

    @Test("a scripted conversation over every Global and Doc method the sandbox answers passes the schema check")
    func conversation() async throws {
        let (sandbox, app) = try await EngineSessionTests.sandboxWithOrders()
        var session = EngineSession(tenant: sandbox.tenant, appID: app.id, userID: try #require(await sandbox.tenant.usersByCreation.first).id)
        session.checksAnswers = true
        var failures: [String] = []
        var id = 0
        func call(_ method: String, handle: Int, _ params: Any = [Any]()) async -> [String: Any] {
            id += 1
            let reply = await EngineSessionTests.call(&session, id, method, handle: handle, params)
            if let error = reply["error"] as? [String: Any] { failures.append("\(method): \(error["message"] ?? "")") }
            return reply["result"] as? [String: Any] ?? [:]
        }
        for method in ["EngineVersion", "ProductVersion", "QTProduct", "OSName", "OSVersion", "IsDesktopMode", "AllowCreateApp",
                       "GetAuthenticatedUser", "GetUniqueID", "GetDocList", "GetSupportedCodePages", "GetCustomConnectors"] {
            _ = await call(method, handle: -1)
        }
        _ = await call("OpenDoc", handle: -1, [app.id])
        _ = await call("GetActiveDoc", handle: -1)
        _ = await call("GetTablesAndKeys", handle: 1, [["qcx": 1000, "qcy": 1000], ["qcx": 0, "qcy": 0], 30, false, false])
        _ = await call("GetTableData", handle: 1, [0, 5, false, "Orders"])
        let cube: [String: Any] = ["qInfo": ["qId": "c1", "qType": "table"], "qHyperCubeDef": ["qDimensions": [["qDef": ["qFieldDefs": ["Region"]]]], "qMeasures": [Any]()]]
        let created = await call("CreateSessionObject", handle: 1, [cube])
        if let handle = (created["qReturn"] as? [String: Any])?["qHandle"] as? Int {
            _ = await call("GetLayout", handle: handle)
            _ = await call("GetHyperCubeData", handle: handle, ["/qHyperCubeDef", [["qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 10]]])
        }
        _ = await call("DestroySessionObject", handle: 1, ["c1"])
        _ = await call("GetScript", handle: 1)
        _ = await call("SetScript", handle: 1, ["Orders: LOAD * INLINE [OrderID, Region\n1, EU];"])
        _ = await call("DoReload", handle: 1, [0, false, false])
        _ = await call("DoSave", handle: 1)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
