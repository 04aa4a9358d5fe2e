import Foundation
import NIOCore
import Testing
@testable import QlikCloudSandbox

/// Runs a sandbox on an ephemeral loopback port for the length of `body`.
func withLiveSandbox<T: Sendable>(
    _ sandbox: QlikCloudSandbox, _ body: @escaping @Sendable (SandboxCredentials) async throws -> T
) async throws -> T {
    let (ready, continuation) = AsyncStream.makeStream(of: SandboxCredentials.self)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await sandbox.run { continuation.yield($0) }
            return nil
        }
        var iterator = ready.makeAsyncIterator()
        guard let credentials = await iterator.next() else { throw Wire.Failure("the sandbox never became ready") }
        let result = try await body(credentials)
        group.cancelAll()
        return result
    }
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
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(QlikSDK.python))
            process.arguments = [QlikSDK.script]
            process.environment = ProcessInfo.processInfo.environment.merging([
                "QLIK_HOST": credentials.baseURL, "QLIK_CLIENT_ID": credentials.clientID, "QLIK_CLIENT_SECRET": credentials.clientSecret,
            ]) { $1 }
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(String(decoding: stderr, as: UTF8.self))")
            return stdout
        }
        let summary = try Wire.json(ByteBuffer(bytes: output))
        #expect((summary["me"] as? [String: Any])?["id"] as? String == sandbox.credentials(port: 0).userID)
        #expect(summary["spaces"] as? [String] == ["Sandbox Shared", "Sandbox Managed", "Sandbox Data"])
        #expect((summary["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Sales Analysis", "Personal Scratchpad"])
        #expect((summary["upload"] as? [String: Any])?["size"] as? Int == 20)
        #expect(summary["dataFiles"] as? [String] == ["sdk-upload.csv"])
        #expect(await sandbox.tenant.dataFiles.first?.content == Array("id,amount\n1,2.5\n2,7\n".utf8))
    }
}
