import Foundation
import TestProcesses
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox over HTTPS")
struct SandboxTLSTests {
    /// A self-signed certificate for 127.0.0.1, made by openssl (a tool no one here wrote).
    static func certificate(in directory: String) throws -> (certificate: String, key: String) {
        let certificate = directory + "/cert.pem", key = directory + "/key.pem"
        let made = try ChildProcess.runWaiting("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", certificate])
        guard made.status == 0 else { throw Wire.Failure("openssl could not make a certificate") }
        return (certificate, key)
    }

    @Test("with --tls-cert and --tls-key it serves HTTPS that a client verifying the certificate accepts",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") && FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func https() async throws {
        let directory = NSTemporaryDirectory() + "sbx-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (certificate, key) = try Self.certificate(in: directory)
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(tlsCertificatePath: certificate, tlsKeyPath: key))
        let output = try await withLiveSandbox(sandbox) { credentials in
            #expect(credentials.baseURL.hasPrefix("https://127.0.0.1:"))
            let run = try await runProcess("/usr/bin/curl", ["--silent", "--show-error", "--fail", "--cacert", certificate,
                                                             "-H", "Authorization: Bearer \(credentials.apiKey)", credentials.baseURL + "/api/v1/users/me"])
            #expect(run.status == 0, "\(run.stderr)")
            return run.stdout
        }
        let me = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        #expect(me["id"] as? String == sandbox.credentials(port: 0).userID)
        #expect(((me["links"] as? [String: Any])?["self"] as? [String: Any])?["href"].map { "\($0)".hasPrefix("https://") } == true)
    }

    @Test("a certificate without its key is refused with a clear message")
    func missingKey() async throws {
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(tlsCertificatePath: "/nonexistent.pem", tlsKeyPath: nil))
        let error = #expect(throws: SandboxSetupError.self) { _ = try sandbox.application() }
        #expect(error?.description.contains("--tls-key") == true)
    }
}
