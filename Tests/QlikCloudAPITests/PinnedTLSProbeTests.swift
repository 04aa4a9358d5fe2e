import Foundation
import QlikCloudAPI
import QlikCloudSandbox
import Testing
import TestTenants

/// DNS rebinding, the probe's side: Test Connection's TLS step connects to the address the host check pinned
/// (the check itself is Connector's, pinned in ConnectorTests' HostPinningTests).
@Suite("The TLS probe goes to the pinned address")
struct PinnedTLSProbeTests {
    /// A name that resolves nowhere for real: the probe reaches the tenant only through the pin.
    static let name = "rebind-tenant.test.invalid"

    @Test("the TLS probe connects to the pinned address and still verifies the certificate for the name",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func tlsProbeUsesPinnedAddress() async throws {
        let directory = NSTemporaryDirectory() + "qc-pin-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (certificate, key) = try SelfSignedCertificate.make(in: directory, subject: "/CN=\(Self.name)", names: "subjectAltName=DNS:\(Self.name)")
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(tlsCertificatePath: certificate, tlsKeyPath: key))
        try await withLiveSandbox(sandbox) { credentials in
            let port = try #require(try credentials.tenant.port)
            var settings = directSettings
            settings.caBundlePath = certificate
            settings.pinnedAddresses = [Self.name: "127.0.0.1"]
            let report = try await NetworkProbe.handshake(host: Self.name, port: port, tls: true, settings: settings)
            #expect(report?.subject == "CN=\(Self.name)")
            // Pinned under another name, the same address is refused: the certificate is checked for the name asked, not the address.
            let other = "other-tenant.test.invalid"
            settings.pinnedAddresses = [other: "127.0.0.1"]
            await #expect(throws: TransportFailure.self) { try await NetworkProbe.handshake(host: other, port: port, tls: true, settings: settings) }
            settings.pinnedAddresses = [:]
            await #expect(throws: TransportFailure.self, "unpinned, the name resolves nowhere") {
                try await NetworkProbe.handshake(host: Self.name, port: port, tls: true, settings: settings)
            }
        }
    }
}
