/// The Base URL of a Qlik Cloud tenant, `https://<tenant>.<region>.qlikcloud.com`
/// (or `qlikcloudgov.com`), normalized: lower-case host, no trailing slash.
///
/// Parsed by hand rather than through Foundation's URL, whose leniency
/// (user-info, odd ports, percent-encoding) is exactly what must be refused.
public struct TenantURL: Hashable, Sendable, CustomStringConvertible {
    /// Which Base URLs parse.
    public enum HostPolicy: Sendable {
        /// Only Qlik Cloud tenant hosts over https: the seed page's rule.
        case qlikCloudOnly
        /// Any well-formed host, http or https, with a port. Only the form is checked here: whether the
        /// host is reached is the operator's allow-list's to decide (``TenantHostPolicy``).
        case anyWellFormedHost
    }

    public static let expectedForm = "https://<your-tenant-id>.<region>.qlikcloud.com"
    static let qlikDomains = ["qlikcloud.com", "qlikcloudgov.com"]

    public let scheme: String
    public let host: String
    public let port: Int?

    public var description: String {
        if let port { return "\(scheme)://\(host):\(port)" }
        return "\(scheme)://\(host)"
    }

    /// Whether `other` names the same origin (scheme, host and port, the default port spelled out or not):
    /// the test that decides whether stored credentials may stay with a changed Base URL.
    public func sameOrigin(as other: TenantURL) -> Bool {
        scheme == other.scheme && host == other.host && effectivePort == other.effectivePort
    }

    /// The port connections go to: the one written, else the scheme's default.
    public var effectivePort: Int { port ?? (scheme == "https" ? 443 : 80) }

    /// The tenant label (`acme` in `acme.eu.qlikcloud.com`), for Qlik hosts.
    public var tenantLabel: String? {
        isQlikCloudHost ? String(host.split(separator: ".")[0]) : nil
    }

    /// The region label (`eu` in `acme.eu.qlikcloud.com`), for Qlik hosts.
    public var region: String? {
        isQlikCloudHost ? String(host.split(separator: ".")[1]) : nil
    }

    public var isQlikCloudHost: Bool { Self.qlikCloudHostProblem(host) == nil && scheme == "https" && port == nil }

    public init(_ raw: String, policy: HostPolicy = .qlikCloudOnly) throws(ConnectionValidationError) {
        func fail(_ message: String) -> ConnectionValidationError {
            ConnectionValidationError(.baseURL, message + " Expected the form \(Self.expectedForm).")
        }
        if raw.isEmpty { throw ConnectionValidationError(.baseURL, "Base URL is required. Expected the form \(Self.expectedForm).") }
        // Printable ASCII (every real Base URL) needs no Unicode property lookups.
        if !raw.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
           raw.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) {
            throw fail("Base URL contains whitespace or a control character.")
        }
        guard let separator = raw.firstRange(of: "://") else {
            // The input is not echoed: a pasted "user:token@host" would otherwise be printed.
            throw fail("Base URL has no scheme; start it with https://.")
        }
        let scheme = raw[..<separator.lowerBound].lowercased()
        switch (scheme, policy) {
        case ("https", _), ("http", .anyWellFormedHost): break
        case ("http", .qlikCloudOnly):
            throw fail("Base URL uses http://; Qlik Cloud is reached only over https://.")
        default:
            throw fail("Base URL uses the scheme '\(scheme)'; only https:// is accepted.")
        }
        let rest = raw[separator.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let tail = rest[authorityEnd...]

        if authority.contains("@") {
            throw fail("Base URL contains user information before '@'; credentials go in their own fields, never in the URL.")
        }
        if tail.contains("#") { throw fail("Base URL has a fragment ('#...'); remove it.") }
        if tail.contains("?") { throw fail("Base URL has a query ('?...'); remove it.") }
        if tail != "" && tail != "/" { throw fail("Base URL has a path after the host; give only the tenant's address.") }

        var hostPart = Substring(authority)
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority.hasPrefix("[") || authority[..<colon].hasSuffix("]") {
            let portText = authority[authority.index(after: colon)...]
            hostPart = authority[..<colon]
            guard policy == .anyWellFormedHost else {
                throw fail("Base URL names a port (':\(portText)'); Qlik Cloud tenants use the default https port.")
            }
            guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isWholeNumber }),
                  let number = Int(portText), (1...65535).contains(number) else {
                throw ConnectionValidationError(.baseURL, "Base URL has the port '\(portText)'; a port is a number from 1 to 65535.")
            }
            port = number
        }
        if hostPart.isEmpty { throw fail("Base URL has no host.") }
        if !hostPart.utf8.allSatisfy({ $0 < 0x80 }) {
            throw fail("Base URL host '\(hostPart)' contains non-ASCII characters; Qlik Cloud hosts are plain ASCII.")
        }
        let host = hostPart.lowercased()
        // A Qlik Cloud host keeps Qlik's rules even where custom hosts are
        // allowed: never plain http, never a port, for a real tenant.
        let looksLikeQlik = Self.qlikDomains.contains { host == $0 || host.hasSuffix("." + $0) }
        if policy == .qlikCloudOnly || looksLikeQlik {
            if let problem = Self.qlikCloudHostProblem(host) { throw fail(problem) }
            if scheme != "https" { throw fail("Base URL uses http://; Qlik Cloud is reached only over https://.") }
            if port != nil { throw fail("Base URL names a port; Qlik Cloud tenants use the default https port.") }
        }
        if policy == .anyWellFormedHost, !Self.isPlausibleHost(host) {
            throw ConnectionValidationError(.baseURL, "Base URL host '\(host)' is not a valid host name or IP address.")
        }
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// Nil when `host` is `<tenant>.<region>.qlikcloud.com` (or gov); else why not.
    static func qlikCloudHostProblem(_ host: String) -> String? {
        guard let domain = qlikDomains.first(where: { host == $0 || host.hasSuffix("." + $0) }) else {
            return "Base URL host '\(host)' is not a Qlik Cloud host (it must end in .qlikcloud.com or .qlikcloudgov.com)."
        }
        let prefix = host.dropLast(domain.count)
        let labels = prefix.split(separator: ".", omittingEmptySubsequences: false).dropLast()
        guard labels.count == 2 else {
            return "Base URL host '\(host)' does not name both a tenant and a region."
        }
        let tenant = labels[labels.startIndex], region = labels[labels.startIndex + 1]
        guard isDNSLabel(tenant) else {
            return "Base URL tenant '\(tenant)' is not a valid host label (letters, digits and inner hyphens, up to 63)."
        }
        let regionBytes = Array(region.utf8)
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
        guard (2...15).contains(regionBytes.count), regionBytes.first.map(isLetter) == true,
              regionBytes.allSatisfy({ isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }) else {
            return "Base URL region '\(region)' is not a Qlik Cloud region code such as eu, us, de or ap."
        }
        return nil
    }

    static func isDNSLabel<S: StringProtocol>(_ label: S) -> Bool {
        // Bytes, not Characters: a label is ASCII, and Character checks cost a Unicode lookup each.
        let bytes = Array(label.utf8)
        guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
        }
    }

    static func isPlausibleHost(_ host: String) -> Bool {
        if host.hasPrefix("[") && host.hasSuffix("]") {
            let address = host.dropFirst().dropLast()
            return address.contains(":") && address.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isDNSLabel)
    }
}
