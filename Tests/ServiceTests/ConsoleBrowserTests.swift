import Foundation
import Hummingbird
import HummingbirdBcrypt
import QlikCloudSandbox
import QlikConnections
import Repository
import TestProcesses
import Testing
@testable import Service

/// The console in a real browser: Debian's chromium, headless, driven over
/// the DevTools protocol by scripts/console-browser/drive.py.
@Suite("The console in headless Chromium")
struct ConsoleBrowserTests {
    static var repository: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
    static var python: String? {
        let candidates: [String?] = [ProcessInfo.processInfo.environment["QVD_PEERS_PYTHON"], repository.appendingPathComponent(".venv-qvd-peers/bin/python").path]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
    static var chromium: String? { ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) } }
    static var available: Bool {
        python != nil && chromium != nil && ProcessInfo.processInfo.environment["CHROMIUM_UNAVAILABLE"] == nil
            && ProcessInfo.processInfo.environment["QVD_PEERS_UNAVAILABLE"] == nil
    }

    @Test("sign in from a link naming the organization, an API-key connection with a bad Base URL then fixed, an OAuth one, Test Connection, sign out and the organization remembered: screenshots under .build/test-output/console",
          .enabled(if: ConsoleBrowserTests.available, "chromium and the peers' Python are installed by scripts/test"))
    func browser() async throws {
        let harness = try await ServiceHarness.make()
        let password = "correct horse battery staple"
        if let user = harness.people["designer"]?.user {
            try await harness.repository.updateUser(user, passwordHash: Bcrypt.hash(password, cost: 4), by: AuditActor("test"))
        }
        let output = Self.repository.appendingPathComponent(".build/test-output/console").path
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(port: 0))
        let (ready, announce) = AsyncStream.makeStream(of: Int.self)
        let (status, text) = try await sandbox.withRunning { tenant in
            try await withThrowingTaskGroup(of: (Int32, String)?.self) { group in
                group.addTask {
                    try await harness.service.application(host: "127.0.0.1", port: 0) { announce.yield($0) }.runService()
                    return nil
                }
                var ports = ready.makeAsyncIterator()
                guard let port = await ports.next() else { throw APIError.notFound("the service's port") }
                let result = try await Self.drive(["http://127.0.0.1:\(port)", harness.acme.name.value, "designer@acme.example", password, tenant.baseURL, tenant.apiKey,
                                             tenant.clientID, tenant.clientSecret, output])
                group.cancelAll()
                return result
            }
        }
        #expect(status == 0, "the browser checks failed:\n\(text)")
        let checks = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
        #expect(checks.count >= 18, "\(text)")
        for check in checks where check["passed"] as? Bool != true { Issue.record("\(check["check"] ?? "?"): \(check["detail"] ?? "")") }
        let shots = (try? FileManager.default.contentsOfDirectory(atPath: output))?.filter { $0.hasSuffix(".png") } ?? []
        #expect(shots.count >= 8)
    }

    /// Runs the driver, waiting without holding a thread: it waits for a browser while the service answers it.
    static func drive(_ arguments: [String]) async throws -> (Int32, String) {
        let python = try #require(python), chromium = try #require(chromium)
        let run = try await ChildProcess.run(python, [repository.appendingPathComponent("scripts/console-browser/drive.py").path, chromium] + arguments)
        return (run.status, run.text + run.errors)
    }
}
