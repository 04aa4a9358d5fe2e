/// How a sandbox tenant behaves. Every value has Qlik Cloud's default;
/// tests shorten token lifetimes, tighten rate limits or quotas.
public struct SandboxConfiguration: Sendable {
    /// Address to listen on: loopback unless told otherwise.
    public var host: String
    /// 0 picks a free port (tests); the bound port is reported once listening.
    public var port: Int
    /// Lifetime of OAuth access tokens; Qlik's is 6 hours.
    public var accessTokenLifetime: Duration
    /// Requests per minute per user: tier 1 (most reads) and tier 2 (writes, tokens).
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
        tlsKeyPath: String? = nil
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
    }

    var scheme: String { tlsCertificatePath == nil ? "http" : "https" }
}
