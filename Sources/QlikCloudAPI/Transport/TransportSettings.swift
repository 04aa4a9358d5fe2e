import Foundation
import NIOSSL

/// How the client reaches tenants: the choices an administrator makes for a
/// runtime environment (corporate CA, proxy, timeouts).
public struct TransportSettings: Sendable {
    /// PEM file of extra CA certificates to trust besides the system's: the
    /// corporate proxy's root, when it inspects TLS. Verification stays on.
    public var caBundlePath: String?
    public var proxies: ProxyEnvironment
    public var connectTimeout: Duration
    /// Longest silence while an answer is read.
    public var readTimeout: Duration
    public var userAgent: String
    /// Host name to the IP address (canonical text, IPv6 without brackets) that connections to it go to instead of
    /// resolving the name again: set to an address the check before a task's first request accepted, so a name
    /// whose DNS answers differently later (DNS rebinding) is not followed. The REST transport and the TLS probe use
    /// it, keeping the name for SNI, the Host header and certificate verification; never through a proxy, which
    /// resolves names itself.
    public var pinnedAddresses: [String: String] = [:]
    /// The check the engine's WebSocket repeats right before it opens (it resolves the name itself); nil: none.
    public var addressCheck: AddressCheck?
    /// How long an engine call waits for its answer; nil: `QLIK_CONNECTOR_ENGINE_CALL_TIMEOUT` (seconds), else 120 s.
    public var engineCallTimeout: Duration?

    public static let version = "0.5.0"

    public init(caBundlePath: String? = nil, proxies: ProxyEnvironment = ProxyEnvironment(), connectTimeout: Duration = .seconds(10),
                readTimeout: Duration = .seconds(60), userAgent: String = "qlik-connector/\(TransportSettings.version) (Swift; +https://github.com/qlik-connector)") {
        self.caBundlePath = caBundlePath
        self.proxies = proxies
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.userAgent = userAgent
    }
}

extension TransportSettings {
    /// The one TLS trust every connection to a tenant uses (REST, the engine's socket, the TLS probe):
    /// the system's roots plus the CA bundle, TLS 1.2 at least, verification on.
    func tlsConfiguration() throws(TransportFailure) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let bundle = caBundlePath {
            do {
                tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(bundle))]
            } catch {
                throw .other("The CA bundle \(bundle) cannot be read as PEM certificates: \(error)")
            }
        }
        return tls
    }
}

extension Duration {
    var timeInterval: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
