import Foundation
import NIOCore
import Testing
@testable import QlikCloudSandbox

@Suite("The sandbox's engine against Qlik's official Python SDK", .enabled(if: QlikSDK.available, "qlik-sdk could not be installed from PyPI"))
struct SandboxQlikSDKEngineTests {
    static var script: String {
        URL(fileURLWithPath: QlikSDK.script).deletingLastPathComponent().appendingPathComponent("qlik_sdk_engine_flows.py").path
    }

    @Test("qlik-sdk 0.17.0's generated Qix classes, unmodified: Global methods, OpenDoc, GetActiveDoc, GetTablesAndKeys, GetAppLayout, GetAllInfos, a field list and a hypercube session object, a sheet and its children, a master dimension, a field selection narrowing Evaluate")
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
        #expect((summary["engine_version"] as? [String: Any])?["qComponentVersion"] as? String == EngineConversation.engineVersion)
        #expect(summary["product_version"] as? String == EngineConversation.engineVersion)
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
        #expect((summary["get_app_layout"] as? [String: Any])?["qTitle"] as? String == "Sales Analysis")
        #expect((summary["get_all_infos"] as? [[String: Any]])?.contains { $0["qId"] as? String == "sheet-overview" && $0["qType"] as? String == "sheet" } == true)
        let fields = ((summary["field_list"] as? [String: Any])?["qFieldList"] as? [String: Any])?["qItems"] as? [[String: Any]]
        #expect(fields?.contains { $0["qName"] as? String == "Region" } == true)
        #expect(((summary["sheet_layout"] as? [String: Any])?["qInfo"] as? [String: Any])?["qType"] as? String == "sheet")
        #expect((summary["sheet_info"] as? [String: Any])?["qId"] as? String == "sheet-overview")
        #expect((summary["sheet_children"] as? [[String: Any]])?.contains { $0["qType"] as? String == "barchart" } == true)
        #expect(((summary["sheet_properties"] as? [String: Any])?["qMetaDef"] as? [String: Any])?["title"] as? String == "Sales overview")
        #expect(((summary["dimension_properties"] as? [String: Any])?["qDim"] as? [String: Any])?["qFieldDefs"] as? [String] == ["Region"])
        // Region = EMEA selected through Field.SelectValues: Evaluate sees one region.
        #expect(summary["select_values"] as? Bool == true)
        #expect(summary["evaluate"] as? String == "1")
    }
}
