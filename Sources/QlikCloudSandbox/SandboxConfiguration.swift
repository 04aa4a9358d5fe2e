import Foundation

/// How a sandbox tenant behaves. Every value has Qlik Cloud's default;
/// tests shorten token lifetimes, tighten rate limits or quotas.
public struct SandboxConfiguration: Sendable {
    /// Address to listen on: loopback unless told otherwise.
    public var host: String
    /// 0 picks a free port (tests); the bound port is reported once listening.
    public var port: Int
    /// Lifetime of OAuth access tokens; Qlik's is 6 hours.
    public var accessTokenLifetime: Duration
    /// Requests per minute per user: tier 1 (most reads) and tier 2 (writes, tokens), evaluated as Qlik does over a rolling
    /// five-minute window (five times the limit in any five minutes, so bursts pass).
    public var tier1PerMinute: Int
    public var tier2PerMinute: Int
    /// Largest data file accepted by a direct upload, and with temp contents.
    public var maxFileSize: Int
    public var maxLargeFileSize: Int
    /// The tenant's name, the first label of its host name in Qlik Cloud.
    public var tenantName: String
    public var faults: SandboxFaults
    /// PEM certificate chain and private key: serve HTTPS (and WSS) instead of plain HTTP.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// Check every engine answer against Qlik's engine schema: an answer that departs from it becomes an engine
    /// error naming the method, the key and what the schema wants. On in the package's tests (see
    /// ``checksEngineAnswersByDefault``), off otherwise: it walks every value of every answer.
    public var checksEngineAnswers: Bool

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        accessTokenLifetime: Duration = .seconds(6 * 3600),
        tier1PerMinute: Int = 1000,
        tier2PerMinute: Int = 100,
        maxFileSize: Int = 500 << 20,
        maxLargeFileSize: Int = 6 << 30,
        tenantName: String = "sandbox",
        faults: SandboxFaults = .none,
        tlsCertificatePath: String? = nil,
        tlsKeyPath: String? = nil,
        checksEngineAnswers: Bool = SandboxConfiguration.checksEngineAnswersByDefault
    ) {
        self.host = host
        self.port = port
        self.accessTokenLifetime = accessTokenLifetime
        self.tier1PerMinute = tier1PerMinute
        self.tier2PerMinute = tier2PerMinute
        self.maxFileSize = maxFileSize
        self.maxLargeFileSize = maxLargeFileSize
        self.tenantName = tenantName
        self.faults = faults
        self.tlsCertificatePath = tlsCertificatePath
        self.tlsKeyPath = tlsKeyPath
        self.checksEngineAnswers = checksEngineAnswers
    }

    /// QLIK_SANDBOX_CHECK_ENGINE_ANSWERS=1 (or 0) decides; without it, sandboxes started by the package's test runner
    /// (`swift test` runs QlikConnectorPackageTests) check, so every engine answer the test suite produces is checked.
    public static var checksEngineAnswersByDefault: Bool {
        if let setting = ProcessInfo.processInfo.environment["QLIK_SANDBOX_CHECK_ENGINE_ANSWERS"] { return setting == "1" }
        return ProcessInfo.processInfo.processName.hasPrefix("QlikConnectorPackageTests")
    }

    var scheme: String { tlsCertificatePath == nil ? "http" : "https" }
}
