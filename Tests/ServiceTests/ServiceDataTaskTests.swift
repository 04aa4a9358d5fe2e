import Foundation
import QlikCloudSandbox
import Runtime
import Testing
import TestRepositories
@testable import Service

@Suite("Discover, write, read and reload queued through the API run as tasks on the connection's runtime environment")
struct ServiceDataTaskTests {
    @Test("on the serverless environment: a catalog, a data file written from the files folder and read back into it, a reload; mistakes named",
          arguments: RepositoryBackend.allCases)
    func serverless(_ backend: RepositoryBackend) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("service-files-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = try TaskFiles.perOrganization(inside: folder)
        let harness = try await ServiceHarness.make(backend, files: files)
        // Each organization has a folder of its own below the service's.
        let root = try #require(try files.scoped(to: harness.acme.id).folder)
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(port: 0))
        try await sandbox.withRunning { tenant in
            try await harness.withClient { api in
                let designer = harness.token("designer"), viewer = harness.token("viewer")
                let connection: [String: Any] = ["name": "Data", "runtimeEnvironment": "Serverless", "authenticationType": "api-key",
                                                 "baseURL": tenant.baseURL, "accessToken": tenant.apiKey]
                #expect(try await api.call(.post, "/api/v1/connections", token: designer, json: connection).status == .created)
                func run(_ kind: String, _ parameters: [String: Any]) async throws -> APIClient.Answer {
                    try await api.call(.post, "/api/v1/connections/Data/tasks?wait=60", token: designer, json: ["kind": kind, "parameters": parameters])
                }
                func result(_ task: APIClient.Answer) async throws -> [String: Any] {
                    try await api.call(.get, "/api/v1/tasks/\(task.object["id"] as? String ?? "")/result", token: viewer).object
                }

                let discovered = try await run("discover", ["spaceType": "shared"])
                #expect(discovered.status == .ok && discovered.object["state"] as? String == "succeeded" && discovered.object["kind"] as? String == "discover",
                        "\(discovered.text)")
                let catalog = try await result(discovered)
                #expect((catalog["spaces"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Sales"])
                #expect((catalog["apps"] as? [[String: Any]])?.contains { $0["name"] as? String == "Sales Analysis" } == true)

                try FileManager.default.createDirectory(atPath: root + "/in", withIntermediateDirectories: true)
                try Data("id,city\n1,Oslo\n2,Lima\n".utf8).write(to: URL(fileURLWithPath: root + "/in/cities.csv"))
                let written = try await run("write", ["path": "in/cities.csv", "dataFile": "cities.qvd"])
                #expect(written.object["state"] as? String == "succeeded", "\(written.text)")
                #expect(((try await result(written))["dataFile"] as? [String: Any])?["name"] as? String == "cities.qvd")
                let read = try await run("read", ["dataFile": "cities.qvd", "path": "out/cities.jsonl"])
                #expect(read.object["state"] as? String == "succeeded", "\(read.text)")
                #expect(try await result(read)["rows"] as? Int == 2)
                #expect(try String(contentsOfFile: root + "/out/cities.jsonl", encoding: .utf8) == "{\"id\":1,\"city\":\"Oslo\"}\n{\"id\":2,\"city\":\"Lima\"}\n")
                let reload = try await run("reload", ["app": "sales analysis", "wait": true])
                #expect(reload.object["state"] as? String == "succeeded", "\(reload.text)")
                #expect(try await result(reload)["app"] as? String == "Sales Analysis")
                let logs = try await api.call(.get, "/api/v1/tasks/\(read.object["id"] as? String ?? "")/logs", token: viewer).json as? [[String: Any]] ?? []
                // Said relative to the files folder: where it is on the machine, and the organization's id in it, are not the users' business.
                #expect(logs.compactMap { $0["message"] as? String }.contains("Read 2 rows of 2 fields into out/cities.jsonl"), "\(logs)")

                // Mistakes in the request are refused before anything is queued; mistakes found on the tenant fail the task, saying which.
                let testKind = try await api.call(.post, "/api/v1/connections/Data/tasks", token: designer, json: ["kind": "test"])
                #expect(testKind.status == .unprocessableContent && testKind.errorField == "kind")
                let noPath = try await api.call(.post, "/api/v1/connections/Data/tasks", token: designer, json: ["kind": "read", "parameters": ["dataFile": "x.qvd"]])
                #expect(noPath.status == .unprocessableContent && noPath.errorField == "parameters" && noPath.text.contains("lack 'path'"))
                #expect(try await api.call(.post, "/api/v1/connections/Data/tasks", token: viewer, json: ["kind": "discover"]).status == .forbidden)
                let neighbour = try await run("write", ["path": "../\(harness.other.id)/x.csv", "dataFile": "x.csv"])
                #expect(neighbour.object["state"] as? String == "failed" && (neighbour.object["error"] as? String)?.contains("outside") == true,
                        "another organization's folder is out of reach")
                let escape = try await run("read", ["dataFile": "cities.qvd", "path": "../escape.csv"])
                #expect(escape.object["state"] as? String == "failed" && (escape.object["error"] as? String)?.contains("outside this runtime environment's files folder") == true)
                #expect(try await result(escape)["inputError"] as? Bool == true)
                let typo = try await run("reload", ["app": "Sales Analysys"])
                #expect((typo.object["error"] as? String)?.contains("Did you mean 'Sales Analysis'") == true, "\(typo.text)")
                let queued = try await api.call(.post, "/api/v1/connections/Data/tasks", token: designer, json: ["kind": "discover"])
                #expect(queued.status == .accepted && queued.headers[.location] == "/api/v1/tasks/\(queued.object["id"] as? String ?? "")")
                let tasks = try await api.call(.get, "/api/v1/tasks", token: viewer).object["items"] as? [[String: Any]] ?? []
                #expect(tasks.count == 8 && tasks.allSatisfy { $0["connection"] as? String == "Data" && $0["runtimeEnvironment"] as? String == "Serverless" })
            }
        }
        #expect(!FileManager.default.fileExists(atPath: (root as NSString).deletingLastPathComponent + "/escape.csv"))
    }
}
