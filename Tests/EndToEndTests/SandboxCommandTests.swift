import Foundation
import Testing
import TestCommandLine

@Suite("qlik-connector sandbox")
struct SandboxCommandTests {
    struct Printed: Decodable, Equatable {
        let baseURL: String
        let apiKey: String
        let clientID: String
        let clientSecret: String
        let generatedAppID: String?
    }

    static func firstLine(_ server: CommandLineHarness.Server) async throws -> Printed {
        let line = try #require(await server.nextLine(), "the sandbox printed nothing")
        return try JSONDecoder().decode(Printed.self, from: Data(line.utf8))
    }

    @Test("--data keeps the tenant: a restarted sandbox prints the same credentials and finds its generated app again")
    func restart() async throws {
        let harness = try CommandLineHarness()
        let arguments = ["sandbox", "--port", "0", "--json", "--data", harness.home + "/tenant", "--generate-rows", "2000", "--generate-columns", "3"]
        let first = try harness.start(arguments)
        let printed = try await Self.firstLine(first)
        #expect(await first.stop() == 0)
        #expect(printed.generatedAppID != nil && printed.baseURL.hasPrefix("http://127.0.0.1:"))
        let second = try harness.start(arguments)
        let again = try await Self.firstLine(second)
        #expect(await second.stop() == 0)
        #expect(again.apiKey == printed.apiKey && again.clientID == printed.clientID && again.clientSecret == printed.clientSecret)
        #expect(again.generatedAppID == printed.generatedAppID)
    }

    @Test("a fixture seeds the printed credentials; a bad one is refused with exit code 2 and the entry named")
    func fixture() async throws {
        let harness = try CommandLineHarness()
        let good = try harness.file("good.json", #"{"users": [{"name": "Ada", "email": "ada@example.com", "apiKeys": [{"token": "sbx_fixture_key"}]}]}"#)
        let server = try harness.start(["sandbox", "--port", "0", "--json", "--fixture", good])
        let printed = try await Self.firstLine(server)
        #expect(await server.stop() == 0)
        #expect(printed.apiKey == "sbx_fixture_key")
        let bad = try harness.file("bad.json", #"{"users": [{"name": "Ada", "email": "ada@example.com"}], "spaces": [{"name": "S", "type": "team"}]}"#)
        let refused = try await harness.run(["sandbox", "--port", "0", "--fixture", bad])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("spaces[0].type is 'team'; expected shared, managed or data"))
    }
}
