import Foundation
import QlikCloudSandbox
import Runtime
import Testing
import TestRepositories
@testable import Service

@Suite("What read and write tasks say through the API names paths relative to the files folder, never where it is on the machine")
struct TaskFilePathTests {
    @Test("a missing file, a folder where a file belongs and a path outside: each error names the path as given, without the folder's absolute path or the organization id; logs and results alike")
    func relativePaths() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("task-paths-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = try TaskFiles.perOrganization(inside: folder)
        let harness = try await ServiceHarness.make(files: files)
        let root = try #require(try files.scoped(to: harness.acme.id).folder)
        let organization = harness.acme.id.description
        try FileManager.default.createDirectory(atPath: root + "/in/folder.csv", withIntermediateDirectories: true)
        try Data("id,city\n1,Oslo\n".utf8).write(to: URL(fileURLWithPath: root + "/in/cities.csv"))
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(port: 0))
        try await sandbox.withRunning { tenant in
            try await harness.withClient { api in
                let designer = harness.token("designer")
                let connection: [String: Any] = ["name": "Data", "runtimeEnvironment": "Serverless", "authenticationType": "api-key",
                                                 "baseURL": tenant.baseURL, "accessToken": tenant.apiKey]
                #expect(try await api.call(.post, "/api/v1/connections", token: designer, json: connection).status == .created)
                /// The task as the API shows it, its result and its log, in one text.
                func run(_ kind: String, _ parameters: [String: Any]) async throws -> (error: String, shown: String) {
                    let task = try await api.call(.post, "/api/v1/connections/Data/tasks?wait=60", token: designer, json: ["kind": kind, "parameters": parameters])
                    let id = task.object["id"] as? String ?? ""
                    let result = try await api.call(.get, "/api/v1/tasks/\(id)/result", token: designer)
                    let logs = try await api.call(.get, "/api/v1/tasks/\(id)/logs", token: designer)
                    return (task.object["error"] as? String ?? "", [task.text, result.text, logs.text].joined(separator: "\n"))
                }
                func expectNoServerPath(_ shown: String, _ comment: Comment) {
                    #expect(!shown.contains(folder) && !shown.contains(root), comment)
                    #expect(!shown.contains(organization), comment)
                }

                let missing = try await run("write", ["path": "in/missing.csv", "dataFile": "missing.csv"])
                #expect(missing.error == "There is no file 'in/missing.csv' in the runtime environment's files folder; give the path of an existing .csv, .jsonl or .qvd file.",
                        "\(missing.error)")
                expectNoServerPath(missing.shown, "a missing file")

                let directory = try await run("write", ["path": "in/folder.csv", "dataFile": "folder.csv"])
                #expect(directory.error == "'in/folder.csv' in the runtime environment's files folder is a folder; give the path of a file in it.", "\(directory.error)")
                let readIntoFolder = try await run("read", ["dataFile": "cities.qvd", "path": "in/folder.csv"])
                #expect(readIntoFolder.error.hasPrefix("'in/folder.csv' in the runtime environment's files folder is a folder"), "\(readIntoFolder.error)")
                expectNoServerPath(readIntoFolder.shown, "a read into a folder")
                expectNoServerPath(directory.shown, "a folder given as a file")

                let outside = try await run("read", ["dataFile": "cities.qvd", "path": "../../escape.csv"])
                #expect(outside.error.contains("'../../escape.csv' is outside this runtime environment's files folder"), "\(outside.error)")
                expectNoServerPath(outside.shown, "a path outside")
                let absolute = try await run("write", ["path": "/etc/hostname", "dataFile": "hostname.csv"])
                #expect(absolute.error.contains("'/etc/hostname' is outside"), "\(absolute.error)")
                expectNoServerPath(absolute.shown, "an absolute path outside")

                // What succeeds says where, the same way: the log and the result name out/cities.csv.
                #expect(try await run("write", ["path": "in/cities.csv", "dataFile": "cities.qvd"]).error.isEmpty)
                // A file where a folder must be: said in words, naming the file in the way as the task spelt it, not the file system's error.
                let blocked = try await run("read", ["dataFile": "cities.qvd", "path": "in/cities.csv/out.csv"])
                #expect(blocked.error == "'in/cities.csv' in the runtime environment's files folder is a file, so 'in/cities.csv/out.csv' cannot be created below it; choose a path in a folder.",
                        "\(blocked.error)")
                let deeper = try await run("read", ["dataFile": "cities.qvd", "path": "./in/cities.csv/more/out.qvd"])
                #expect(deeper.error.hasPrefix("'./in/cities.csv' in the runtime environment's files folder is a file, so './in/cities.csv/more/out.qvd' cannot"), "\(deeper.error)")
                expectNoServerPath(blocked.shown, "a file in the way")
                #expect(!blocked.shown.contains("NSCocoaErrorDomain") && !deeper.shown.contains("NSCocoaErrorDomain"))

                let read = try await run("read", ["dataFile": "cities.qvd", "path": "out/cities.csv"])
                #expect(read.error.isEmpty && read.shown.contains("\"path\":\"out\\/cities.csv\"") || read.shown.contains("\"path\":\"out/cities.csv\""),
                        "\(read.shown)")
                #expect(read.shown.contains("into out/cities.csv"), "\(read.shown)")
                expectNoServerPath(read.shown, "a read that succeeded")
            }
        }
    }
}
