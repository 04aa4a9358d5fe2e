import Foundation
import Testing
import TestCommandLine

@Suite("qlik-connector write, reload and read against the sandbox")
struct DataCommandsTests {
    /// A harness with an organization, a runtime environment and a connection "S" to a sandbox started with `sandboxArguments`.
    static func setUp(_ sandboxArguments: [String] = []) async throws -> (CommandLineHarness, CommandLineHarness.Server) {
        let harness = try CommandLineHarness()
        let (server, _) = try await harness.sandboxConnection(fixture: #"""
            {"users": [{"name": "Ada", "email": "ada@example.com", "apiKeys": [{"token": "sbx_data_tests"}]}],
             "spaces": [{"name": "Finance", "type": "shared"}],
             "apps": [{"name": "Orders App", "space": "Finance", "script": "Orders:\nLOAD * FROM [lib://DataFiles/orders.qvd] (qvd);"},
                      {"name": "Broken App", "script": "LOAD * FROM [lib://DataFiles/missing.qvd] (qvd);"}]}
            """#, key: "sbx_data_tests", sandboxArguments: sandboxArguments)
        return (harness, server)
    }

    static let orders = "id,region,amount,day,note\n1,EU,2.5,2024-01-31,plain\n2,\"US, East\",7,2024-02-01,\"says \"\"hi\"\"\"\n3,EU,,2024-02-02,\n4,日本,-0.125,2024-02-03,é\n"

    @Test("a CSV written as a QVD data file, loaded by a reload, reads back with every value; JSON Lines are typed; a data file reads directly")
    func roundTrip() async throws {
        let (harness, server) = try await Self.setUp()
        let input = try harness.file("orders.csv", Self.orders)
        let written = try await harness.succeed(["write", "S", "--from", input, "--data-file", "orders.qvd", "--reload", "orders app", "--wait"])
        #expect(written.stdout.contains("Created data file 'orders.qvd'") && written.stdout.contains("SUCCEEDED"))
        let csv = harness.home + "/back.csv", jsonl = harness.home + "/back.jsonl", qvd = harness.home + "/back.qvd", direct = harness.home + "/direct.csv"
        try await harness.succeed(["read", "S", "--app", "Orders App", "--table", "Orders", "--to", csv])
        #expect(try String(contentsOfFile: csv, encoding: .utf8) == Self.orders.replacingOccurrences(of: "\n", with: "\r\n"))
        try await harness.succeed(["read", "S", "--app", "Orders App", "--table", "Orders", "--to", jsonl])
        let lines = try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first == #"{"id":1,"region":"EU","amount":2.5,"day":"2024-01-31","note":"plain"}"#)
        #expect(lines[2] == #"{"id":3,"region":"EU","amount":null,"day":"2024-02-02","note":null}"#)
        try await harness.succeed(["read", "S", "--app", "Orders App", "--table", "Orders", "--fields", "note,id", "--to", qvd])
        let inspected = try await harness.succeed(["qvd", "inspect", qvd, "--json"])
        #expect(inspected.stdout.contains("\"note\"") && inspected.stdout.contains("\"rows\" : 4") || inspected.stdout.contains("\"rows\":4"))
        // The whole table as QVD, and back to CSV: every value as it went in.
        let whole = harness.home + "/whole.qvd"
        try await harness.succeed(["read", "S", "--app", "Orders App", "--table", "Orders", "--to", whole])
        let back = try await harness.succeed(["qvd", "to-csv", whole])
        #expect(back.stdout.replacingOccurrences(of: "\r\n", with: "\n") == Self.orders)
        try await harness.succeed(["read", "S", "--data-file", "orders.qvd", "--to", direct])
        #expect(try String(contentsOfFile: direct, encoding: .utf8) == Self.orders.replacingOccurrences(of: "\n", with: "\r\n"))
        // The same name in a space is another file: the space's DataFiles connection holds it.
        let inSpace = try await harness.succeed(["write", "S", "--from", input, "--data-file", "orders.qvd", "--space", "finance"])
        #expect(inSpace.stdout.contains("Created data file 'orders.qvd'"))
        let catalog = try await harness.succeed(["discover", "S", "--json"])
        let dataFiles = (try JSONSerialization.jsonObject(with: Data(catalog.stdout.utf8)) as? [String: Any])?["dataFiles"] as? [[String: Any]]
        #expect(dataFiles?.filter { $0["name"] as? String == "orders.qvd" }.map { $0["spaceID"] != nil }.sorted { !$0 && $1 } == [false, true])
        let nowhere = try await harness.run(["write", "S", "--from", input, "--data-file", "x.qvd", "--space", "Nowhere"])
        #expect(nowhere.status == 2 && nowhere.stderr.contains("There is no space 'Nowhere'"))
        // Every operation ran as a task on the serverless environment, visible with its outcome and log.
        let tasks = try JSONSerialization.jsonObject(with: Data(try await harness.succeed(["task", "list", "--json"]).stdout.utf8)) as? [[String: Any]] ?? []
        #expect(tasks.map { $0["kind"] as? String ?? "" } == ["write", "discover", "write", "read", "read", "read", "read", "read", "write"])
        #expect(tasks.allSatisfy { $0["runtimeEnvironment"] as? String == "Serverless" && $0["connection"] as? String == "S" })
        #expect(tasks.map { $0["state"] as? String ?? "" } == ["failed"] + Array(repeating: "succeeded", count: 8))
        #expect((tasks[0]["error"] as? String)?.contains("There is no space 'Nowhere'") == true)
        let readTask = try #require(tasks[3]["id"] as? String)
        let readLog = try await harness.succeed(["task", "logs", readTask])
        #expect(readLog.stdout.contains("Reading data file 'orders.qvd'") && readLog.stdout.contains("4 of 4 rows")
                && readLog.stdout.contains("Read 4 rows of 5 fields"), "\(readLog.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: harness.home)
        #expect(!files.contains { $0.contains(".partial-") }, "\(files)")
        #expect(await server.stop() == 0)
    }

    @Test("mistakes name what exists; replacing needs --mode replace; a failing reload prints its log and exits 1")
    func mistakes() async throws {
        let (harness, server) = try await Self.setUp()
        let input = try harness.file("orders.csv", Self.orders)
        try await harness.succeed(["write", "S", "--from", input, "--data-file", "orders.qvd"])
        let again = try await harness.run(["write", "S", "--from", input, "--data-file", "orders.qvd"])
        #expect(again.status == 2 && again.stderr.contains("--mode replace"))
        let replaced = try await harness.succeed(["write", "S", "--from", input, "--data-file", "orders.qvd", "--mode", "replace"])
        #expect(replaced.stdout.contains("Replaced data file"))
        let ragged = try harness.file("ragged.csv", "a,b\n1,2\n3\n")
        let refused = try await harness.run(["write", "S", "--from", ragged, "--data-file", "ragged.qvd"])
        #expect(refused.status == 2 && refused.stderr.contains("line 3"), "\(refused.stderr)")
        // Sent as CSV, the file is checked while it uploads: stopped at the bad line, nothing created.
        let refusedCSV = try await harness.run(["write", "S", "--from", ragged, "--data-file", "ragged.csv"])
        #expect(refusedCSV.status == 2 && refusedCSV.stderr.contains("line 3: 1 fields where the header has 2"), "\(refusedCSV.stderr)")
        let latin1 = harness.home + "/latin1.csv"
        try Data([0x6E, 0x61, 0x6D, 0x65, 0x0A, 0x5A, 0xFC, 0x72, 0x69, 0x63, 0x68, 0x0A]).write(to: URL(fileURLWithPath: latin1)) // "name\nZ\xFCrich\n" in Latin-1
        for format in ["csv", "qvd"] {
            let badText = try await harness.run(["write", "S", "--from", latin1, "--data-file", "latin1.\(format)"])
            #expect(badText.status == 2 && badText.stderr.contains("line 2") && badText.stderr.contains("UTF-8"), "\(format): \(badText.stderr)")
        }
        let afterwards = try await harness.run(["read", "S", "--data-file", "ragged.csv", "--to", harness.home + "/r.csv"])
        #expect(afterwards.status == 2 && afterwards.stderr.contains("There is no data file 'ragged.csv'"))
        let noApp = try await harness.run(["read", "S", "--app", "Order App", "--table", "Orders", "--to", harness.home + "/x.csv"])
        #expect(noApp.status == 2 && noApp.stderr.contains("Did you mean 'Orders App'"))
        let noFile = try await harness.run(["read", "S", "--data-file", "order.qvd", "--to", harness.home + "/x.csv"])
        #expect(noFile.status == 2 && noFile.stderr.contains("'orders.qvd'"))
        let broken = try await harness.run(["reload", "S", "--app", "Broken App", "--wait"])
        #expect(broken.status == 1 && broken.stdout.contains("FAILED") && broken.stderr.contains("Cannot open file"))
        #expect(!FileManager.default.fileExists(atPath: harness.home + "/x.csv"))
        #expect(await server.stop() == 0)
    }

    @Test("a write killed mid-upload leaves the old data file whole")
    func killedWrite() async throws {
        // Every answer waits 2 s, so the replacement's body stalls in the socket while the upload is under way.
        let (harness, server) = try await Self.setUp(["--fault-latency-ms", "2000"])
        let input = try harness.file("orders.csv", Self.orders)
        try await harness.succeed(["write", "S", "--from", input, "--data-file", "orders.csv"])
        let big = harness.home + "/big.csv"
        _ = FileManager.default.createFile(atPath: big, contents: Data(("id,text\n" + String(repeating: "1,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", count: 600_000)).utf8))
        let writer = try harness.start(["write", "S", "--from", big, "--data-file", "orders.csv", "--mode", "replace"])
        // Killed once it has sent a few megabytes: the request body is then incomplete.
        var sent = 0
        for _ in 0..<3000 {
            sent = Self.bytesWritten(pid: writer.process.processIdentifier)
            if sent > 4 << 20 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(sent > 4 << 20, "the upload never started")
        kill(writer.process.processIdentifier, SIGKILL)
        _ = await writer.stop()
        try await Task.sleep(for: .seconds(3))
        let check = harness.home + "/check.csv"
        try await harness.succeed(["read", "S", "--data-file", "orders.csv", "--to", check])
        #expect(try String(contentsOfFile: check, encoding: .utf8) == Self.orders.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(await server.stop() == 0)
    }

    @Test("an engine socket dropped mid-read: the read reconnects and writes exactly the right rows")
    func droppedSocket() async throws {
        let (harness, server) = try await Self.setUp(["--fault-drop-websocket-after", "8", "--generate-rows", "20000", "--generate-columns", "4"])
        let output = harness.home + "/big.csv"
        let read = try await harness.succeed(["read", "S", "--app", "Generated 20000x4 seed 1", "--table", "Facts", "--to", output, "--json"])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: Any])
        #expect(summary["rows"] as? Int == 20_000)
        #expect((summary["reconnects"] as? Int ?? 0) >= 2)
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\r\n")
        #expect(lines.count == 20_001)
        #expect(lines.dropFirst().map { Int($0.split(separator: ",")[0]) } == (0..<20_000).map { $0 })
        // The same into QVD (values keyed by element numbers across the new sessions): the same rows.
        let qvd = harness.home + "/big.qvd"
        let again = try await harness.succeed(["read", "S", "--app", "Generated 20000x4 seed 1", "--table", "Facts", "--to", qvd, "--json"])
        #expect((try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])?["reconnects"] as? Int ?? 0 >= 2)
        let back = try await harness.succeed(["qvd", "to-csv", qvd])
        #expect(back.stdout.split(separator: "\r\n") == lines)
        #expect(await server.stop() == 0)
    }

    /// Bytes a process has written (files and sockets), from /proc.
    static func bytesWritten(pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8) else { return 0 }
        let line = text.split(separator: "\n").first { $0.hasPrefix("wchar:") }
        return line.flatMap { Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) } ?? 0
    }
}
