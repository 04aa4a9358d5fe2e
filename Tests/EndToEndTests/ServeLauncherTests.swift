import Foundation
@testable import QlikConnectorCLI
import Testing
import TestCommandLine

@Suite("serve reaches the connection service only through the executable's launcher")
struct ServeLauncherTests {
    @Test("serve --trusted-proxy with a value that is no CIDR exits 2, naming the value, before anything is opened")
    func badTrustedProxyIsUsageError() async throws {
        let harness = try CommandLineHarness()
        let refused = try await harness.run(["serve", "--port", "0", "--trusted-proxy", "10.0.0.0/99"])
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("--trusted-proxy '10.0.0.0/99'"), "\(refused.stderr)")
        let repositories = try FileManager.default.contentsOfDirectory(atPath: harness.home).filter { $0.hasSuffix(".sqlite") }
        #expect(repositories.isEmpty, "no repository is opened for a refused option: \(repositories)")
    }

    @Test("the command library run without a launcher refuses serve, saying where the service is")
    func noLauncherRefusesServe() async {
        let database = NSTemporaryDirectory() + "qc-no-launcher-\(UUID().uuidString).sqlite"
        let status = await QlikConnectorCLI.run(arguments: ["serve", "--port", "0", "--database", database])
        #expect(status == 1)
        #expect(!FileManager.default.fileExists(atPath: database), "refused before the repository is opened")
    }
}
