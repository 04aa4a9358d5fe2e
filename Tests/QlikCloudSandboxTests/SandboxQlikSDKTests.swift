import Foundation
import NIOCore
import TestProcesses
import Testing
@testable import QlikCloudSandbox

/// Runs a sandbox on an ephemeral loopback port for the length of `body`.
func withLiveSandbox<T: Sendable>(
    _ sandbox: QlikCloudSandbox, _ body: @escaping @Sendable (SandboxCredentials) async throws -> T
) async throws -> T {
    try await sandbox.withRunning(body)
}

/// Qlik's official Python SDK, installed by the test command beside the QVD peers.
enum QlikSDK {
    static var python: String? {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates: [String?] = [ProcessInfo.processInfo.environment["QVD_PEERS_PYTHON"], repository.appendingPathComponent(".venv-qvd-peers/bin/python").path]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var available: Bool { python != nil && ProcessInfo.processInfo.environment["QVD_PEERS_UNAVAILABLE"] == nil }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/qvd-peers/qlik_sdk_flows.py").path
    }
}

@Suite("The sandbox against Qlik's official Python SDK", .enabled(if: QlikSDK.available, "qlik-sdk could not be installed from PyPI"))
struct SandboxQlikSDKTests {
    @Test("qlik-sdk 0.17.0, unmodified: OAuth client credentials, users.get_me, spaces with paging, items, data file upload")
    func restFlows() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let output = try await withLiveSandbox(sandbox) { credentials in
            let run = try await runProcess(try #require(QlikSDK.python), [QlikSDK.script], environment: [
                "QLIK_HOST": credentials.baseURL, "QLIK_CLIENT_ID": credentials.clientID, "QLIK_CLIENT_SECRET": credentials.clientSecret,
            ])
            #expect(run.status == 0, "\(run.stderr)")
            return run.stdout
        }
        let summary = try Wire.json(ByteBuffer(bytes: output))
        #expect((summary["me"] as? [String: Any])?["id"] as? String == sandbox.credentials(port: 0).userID)
        #expect(summary["spaces"] as? [String] == ["Sales", "Sales Published", "Sales Data"])
        #expect((summary["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Sales Analysis", "Sales Dashboard", "Personal Scratchpad"])
        #expect((summary["upload"] as? [String: Any])?["size"] as? Int == 20)
        // Listed without a connection, data files are the caller's personal space's, as on Qlik Cloud (the samples are in a data space).
        #expect(summary["dataFiles"] as? [String] == ["sdk-upload.csv"])
        #expect(await sandbox.tenant.dataFiles.last?.content == Array("id,amount\n1,2.5\n2,7\n".utf8))
    }
}

/// Runs a program to completion without holding a thread while it runs: the
/// sandbox it talks to needs the same few threads to answer it.
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, stdout: Data, stderr: String) {
    let run = try await ChildProcess.run(executable, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
    return (run.status, run.standardOutput, run.errors)
}
