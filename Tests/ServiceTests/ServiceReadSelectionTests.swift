import Foundation
import QlikCloudSandbox
import Runtime
import Testing
import TestRepositories
@testable import Service

@Suite("A read task's selections through the API")
struct ServiceReadSelectionTests {
    @Test("malformed selections are refused before queueing, saying what is wrong; good ones read only the associated rows and come back in the result")
    func selections() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("service-select-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = try TaskFiles.perOrganization(inside: folder)
        let harness = try await ServiceHarness.make(.sqlite, files: files)
        let root = try #require(try files.scoped(to: harness.acme.id).folder)
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(port: 0))
        try await sandbox.withRunning { tenant in
            try await harness.withClient { api in
                let designer = harness.token("designer")
                let connection: [String: Any] = ["name": "Data", "runtimeEnvironment": "Serverless", "authenticationType": "api-key",
                                                 "baseURL": tenant.baseURL, "accessToken": tenant.apiKey]
                #expect(try await api.call(.post, "/api/v1/connections", token: designer, json: connection).status == .created)
                func read(_ selections: Any, wait: Int = 0) async throws -> APIClient.Answer {
                    try await api.call(.post, "/api/v1/connections/Data/tasks?wait=\(wait)", token: designer, json: [
                        "kind": "read", "parameters": ["app": "Sales Analysis", "table": "Regions", "path": "regions.csv", "selections": selections],
                    ])
                }
                let refusals: [(Any, String)] = [
                    ([["field": "Region", "values": [] as [String]]], "selections: The selection in 'Region' gives no value"),
                    ([["field": "", "values": ["EMEA"]]], "selections: A selection names no field"),
                    ([["field": "Region", "values": ["EMEA"]], ["field": "Region", "values": ["APAC"]]], "selections select in 'Region' more than once"),
                    ([["field": "Region"]], "lack 'values'"),
                    ([["field": "Region", "values": "EMEA"]], "'selections[0].values' has the wrong type"),
                ]
                for (selections, message) in refusals {
                    let refused = try await read(selections)
                    #expect(refused.status == .unprocessableContent && refused.errorField == "parameters" && refused.text.contains(message), "\(refused.text)")
                }
                let done = try await read([["field": "Region", "values": ["APAC"]]], wait: 60)
                #expect(done.object["state"] as? String == "succeeded", "\(done.text)")
                let result = try await api.call(.get, "/api/v1/tasks/\(done.object["id"] as? String ?? "")/result", token: harness.token("viewer")).object
                #expect(result["rows"] as? Int == 2 && result["mergedRows"] as? Int == 0)
                #expect((result["selections"] as? [[String: Any]])?.first?["values"] as? [String] == ["APAC"])
                #expect(try String(contentsOfFile: root + "/regions.csv", encoding: .utf8) == "Country,Region\r\nNew Zealand,APAC\r\nJapan,APAC\r\n")
            }
        }
    }
}
