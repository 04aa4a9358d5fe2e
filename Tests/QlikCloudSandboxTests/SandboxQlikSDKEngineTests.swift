import Foundation
import NIOCore
import Testing
@testable import QlikCloudSandbox

@Suite("The sandbox's engine against Qlik's official Python SDK", .enabled(if: QlikSDK.available, "qlik-sdk could not be installed from PyPI"))
struct SandboxQlikSDKEngineTests {
    static var script: String {
        URL(fileURLWithPath: QlikSDK.script).deletingLastPathComponent().appendingPathComponent("qlik_sdk_engine_flows.py").path
    }

    @Test("qlik-sdk 0.17.0's generated Qix classes, unmodified: Global methods, OpenDoc, GetActiveDoc, GetTablesAndKeys, a hypercube session object, a field selection narrowing Evaluate")
    func engineFlows() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let app = try #require(await sandbox.tenant.apps.first { $0.name == "Sales Analysis" })
        let output = try await withLiveSandbox(sandbox) { credentials in
            let run = try await runProcess(try #require(QlikSDK.python), [Self.script], environment: [
                "QLIK_HOST": credentials.baseURL, "QLIK_API_KEY": credentials.apiKey, "QLIK_APP_ID": app.id,
            ])
            #expect(run.status == 0, "\(run.stderr)")
            return run.stdout
        }
        let summary = try Wire.json(ByteBuffer(bytes: output))
        let user = try #require(await sandbox.tenant.users[sandbox.credentials(port: 0).userID])
        #expect((summary["engine_version"] as? [String: Any])?["qComponentVersion"] as? String == EngineSession.engineVersion)
        #expect(summary["product_version"] as? String == EngineSession.engineVersion)
        #expect(summary["o_s_name"] as? String == "linux" && summary["q_t_product"] as? String == "Qlik Sense")
        #expect(summary["is_desktop_mode"] as? Bool == false)
        #expect(summary["get_authenticated_user"] as? String == "UserDirectory=; UserId=\(user.subject)")
        #expect((summary["get_unique_id"] as? String)?.isEmpty == false)
        let docs = try #require(summary["get_doc_list"] as? [[String: Any]])
        #expect(docs.contains { $0["qDocId"] as? String == app.id && $0["qDocName"] as? String == "Sales Analysis" })
        #expect((summary["open_doc"] as? [String: Any])?["qHandle"] as? Int == 1)
        #expect((summary["get_active_doc"] as? [String: Any])?["qHandle"] as? Int == 1)
        #expect(summary["get_script"] as? Bool == true)
        let cube = try #require((summary["hypercube"] as? [String: Any])?["qHyperCube"] as? [String: Any])
        let regions = await sandbox.tenant.app(app.id)?.dataModel.table("Regions")
        let distinct = Set((regions?.columns.last ?? []).map { "\($0)" }).count
        #expect((cube["qSize"] as? [String: Any])?["qcy"] as? Int == distinct)
        // Region = EMEA selected through Field.SelectValues: Evaluate sees one region.
        #expect(summary["select_values"] as? Bool == true)
        #expect(summary["evaluate"] as? String == "1")
    }
}
