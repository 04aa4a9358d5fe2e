import Foundation
import QlikConnections
import Repository
import Secrets
import Testing
import TestCommandLine

@Suite("qlik-connector qvd, end to end")
struct QVDCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/qvd").path

    @Test("inspect prints the header as a table and as JSON")
    func inspect() async throws {
        let cli = try CommandLineHarness()
        let text = try await cli.succeed(["qvd", "inspect", Self.fixtures + "/pyqvd525_small.qvd"]).stdout
        #expect(text.contains("TestData") && text.contains("BookingDate") && text.contains("DATE DD.MM.YYYY"))
        struct View: Decodable {
            struct Field: Decodable { let name: String; let symbols: Int; let symbolTypes: String }
            let table: String
            let rows: Int
            let fields: [Field]
        }
        let view = try await cli.succeed(["qvd", "inspect", Self.fixtures + "/pyqvd525_small.qvd", "--json"]).json(View.self)
        #expect(view.rows == 1000 && view.fields.count == 6 && view.fields[0].symbols == 1000 && view.fields[0].symbolTypes == "int")
    }

    @Test("to-csv and from-csv convert both ways; damaged input exits 1 without output")
    func convert() async throws {
        let cli = try CommandLineHarness()
        let csv = cli.home + "/t.csv", qvd = cli.home + "/t.qvd", again = cli.home + "/again.csv"
        try await cli.succeed(["qvd", "to-csv", Self.fixtures + "/qvdutils_AAPL.qvd", "-o", csv])
        try await cli.succeed(["qvd", "from-csv", csv, "-o", qvd, "--table", "AAPL"])
        try await cli.succeed(["qvd", "to-csv", qvd, "-o", again])
        #expect(try String(contentsOfFile: csv, encoding: .utf8) == String(contentsOfFile: again, encoding: .utf8))
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\r\n")
        #expect(lines.count == 2747)
        let stdout = try await cli.succeed(["qvd", "to-csv", qvd, "--fields", "Date,Close"]).stdout
        #expect(stdout.hasPrefix("Date,Close\r\n"))

        let damaged = try await cli.run(["qvd", "to-csv", Self.fixtures + "/pyqvd525_damaged.qvd", "-o", cli.home + "/bad.csv"])
        #expect(damaged.status == 1 && damaged.stderr.contains("at byte"))
        #expect(!FileManager.default.fileExists(atPath: cli.home + "/bad.csv"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.home).filter { $0.contains(".tmp-") }.isEmpty)
        #expect(try await cli.run(["qvd", "inspect", cli.home + "/missing.qvd"]).status == 1)
    }
}
