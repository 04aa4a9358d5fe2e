import Foundation
import TestTenants
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox over HTTPS")
struct SandboxTLSTests {
    @Test("with --tls-cert and --tls-key it serves HTTPS that a client verifying the certificate accepts",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") && FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func https() async throws {
        let directory = NSTemporaryDirectory() + "sbx-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (certificate, key) = try SelfSignedCertificate.make(in: directory, subject: "/CN=127.0.0.1")
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
