/// One entry of the operator's allow-list: `host:port`, `host:*`, `host` (any port),
/// `*.suffix` with or without a port; IPv6 in brackets (`[::1]:*`).
///
/// Parsed and normalised once, so that the stored text is the one `hosts remove` matches
/// and numeric hosts in any form (`2130706433`, `0x7f.1`) read as their dotted address.
public struct HostPattern: Hashable, Sendable, CustomStringConvertible {
    public enum Host: Hashable, Sendable {
        case exact(String)
        /// Any name ending in `.suffix` (not the suffix itself).
        case suffix(String)
    }

    public let host: Host
    /// Nil: any port.
    public let port: Int?

    public static let expectedForm = "host:port, host:* or *.domain[:port] (for example 127.0.0.1:*, localhost:8080 or *.test.internal)"

    public var description: String {
        let hostText = switch host {
        case .exact(let name): name
        case .suffix(let suffix): "*." + suffix
        }
        return hostText + ":" + (port.map(String.init) ?? "*")
    }

    public init(_ raw: String) throws(HostPatternError) {
        func fail(_ why: String) -> HostPatternError { HostPatternError("Host pattern '\(raw)' \(why). Expected \(Self.expectedForm).") }
        let text = raw.lowercased()
        if text.isEmpty { throw HostPatternError("A host pattern is empty. Expected \(Self.expectedForm).") }
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw fail("contains spaces or characters other than printable ASCII") }
        if text.contains("://") { throw fail("names a scheme; give the host and port only") }
        if text.contains(where: { "/?#@".contains($0) }) { throw fail("contains a path, query or user information; give the host and port only") }

        var hostText = Substring(text)
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw fail("opens an IPv6 address with '[' but does not close it") }
            hostText = text[...close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw fail("has text after the IPv6 address that is not ':port'") }
                portText = rest.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            hostText = text[..<colon]
            portText = text[text.index(after: colon)...]
            if hostText.contains(":") { throw fail("looks like an IPv6 address without brackets; write it as [address]:port") }
        }
        if let portText, portText != "*" {
            guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(portText), (1...65535).contains(number) else {
                throw fail("has the port '\(portText)'; a port is a number from 1 to 65535, or * for any")
            }
            port = number
        } else {
            port = nil
        }
        var name = String(hostText)
        if name.hasSuffix(".") { name.removeLast() }
        if name.isEmpty { throw fail("has no host") }

        if name.hasPrefix("*.") {
            let suffix = String(name.dropFirst(2))
            let labels = suffix.split(separator: ".", omittingEmptySubsequences: false)
            guard labels.count >= 2, labels.allSatisfy(TenantURL.isDNSLabel) else {
                throw fail("has a wildcard over '\(suffix)'; a wildcard covers the names under a domain of at least two labels, such as *.test.internal")
            }
            if HostAddress(literal: suffix) != nil { throw fail("puts a wildcard on an IP address; name the address itself") }
            host = .suffix(suffix)
        } else if name.contains("*") {
            throw fail("uses '*' other than as the first label of a domain (*.domain) or as the port")
        } else if let address = HostAddress(literal: name) {
            if case .forbidden(let what) = address.reach {
                throw fail("names \(address), \(what), which is never reached whatever the list says")
            }
            host = .exact(address.hostText)
        } else {
            guard name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(TenantURL.isDNSLabel) else {
                throw fail("is neither a host name nor an IP address")
            }
            if let why = TenantHostPolicy.forbiddenName(name) { throw fail("names \(why)") }
            host = .exact(name)
        }
    }

    /// Whether the pattern names `host` (normalised by ``TenantHostPolicy/normalized(_:)``) on `port`.
    public func admits(host candidate: String, port candidatePort: Int) -> Bool {
        if let port, port != candidatePort { return false }
        switch host {
        case .exact(let name): return name == candidate
        case .suffix(let suffix): return candidate.hasSuffix("." + suffix) && HostAddress(literal: candidate) == nil
        }
    }
}

/// Why a host pattern is refused.
public struct HostPatternError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Why an outgoing request is not made: the host is outside the operator's allow-list,
/// or it reaches (by name or after resolution) an address never reached.
public struct HostRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was refused and why.
    public let reason: String
    /// What the operator can do, when anything helps (nil for an address that is never reached).
    public let hint: String?
    public init(_ reason: String, hint: String? = nil) {
        self.reason = reason
        self.hint = hint
    }

    public var description: String { hint.map { reason + " " + $0 } ?? reason }
}

/// The hosts outside Qlik Cloud this service may reach: the operator's allow-list,
/// set from the command line that holds the database (`qlik-connector hosts allow`),
/// never by an organization. Qlik Cloud tenant hosts need no entry.
///
/// Checked when a connection or secrets manager is saved, and again, after name resolution, right before
/// a task's first request (whose connections then go to an address checked), each engine session and each
/// secrets manager call, so a host taken off the list stops working from the next task on.
public struct TenantHostPolicy: Hashable, Sendable, CustomStringConvertible {
    public let patterns: [HostPattern]

    /// No entry: Qlik Cloud tenants and public https secrets managers only.
    public static let qlikCloudOnly = TenantHostPolicy(patterns: [])

    public init(patterns: [HostPattern]) { self.patterns = patterns }

    /// The list as stored: every entry must parse.
    public init(parsing texts: [String]) throws(HostPatternError) {
        var parsed: [HostPattern] = []
        for text in texts { parsed.append(try HostPattern(text)) }
        patterns = parsed
    }

    public var description: String { patterns.isEmpty ? "(empty)" : patterns.map(\.description).joined(separator: ", ") }

    /// The command an operator types to admit `host` on `port`.
    public static func allowCommand(host: String, port: Int) -> String { "qlik-connector hosts allow '\(normalized(host)):\(port)'" }

    /// A host as patterns see it: lower-case, no trailing dot, an IP literal in its canonical form.
    public static func normalized(_ host: String) -> String {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return HostAddress(literal: name)?.hostText ?? name
    }

    /// Names that reach cloud metadata services however they resolve.
    static func forbiddenName(_ host: String) -> String? {
        let name = normalized(host)
        return ["metadata.google.internal", "metadata", "metadata.goog", "instance-data", "instance-data.ec2.internal"].contains(name)
            ? "the cloud metadata service ('\(name)'), which is never reached" : nil
    }

    /// The entry that admits `host` on `port`, if any.
    public func pattern(admitting host: String, port: Int) -> HostPattern? {
        let name = Self.normalized(host)
        return patterns.first { $0.admits(host: name, port: port) }
    }

    /// Only the entries that admit `host` on `port`: all a task needs to reach that host, and nothing of what the operator listed for others.
    public func restricted(toHost host: String, port: Int) -> TenantHostPolicy {
        let name = Self.normalized(host)
        return TenantHostPolicy(patterns: patterns.filter { $0.admits(host: name, port: port) })
    }

    /// Only the entries that admit the host and effective port of an http(s) `address` (none when it is not one).
    public func restricted(toAddress address: String) -> TenantHostPolicy {
        guard let (_, host, port) = Self.split(address) else { return .qlikCloudOnly }
        return restricted(toHost: host, port: port)
    }

    // MARK: Checks before any request

    /// A tenant's Base URL, by name: a Qlik Cloud tenant host, or a host the list admits.
    public func checkTenant(_ url: TenantURL) throws(HostRefusal) {
        let port = url.effectivePort
        try checkName(url.host, port: port, what: "Base URL \(url)")
        if url.isQlikCloudHost { return }
        guard pattern(admitting: url.host, port: port) != nil else {
            throw HostRefusal("Base URL \(url) is not a Qlik Cloud tenant host, and the operator's tenant host allow-list (\(description)) does not admit "
                + "\(Self.normalized(url.host)):\(port).",
                hint: "Only the operator of this service admits hosts outside Qlik Cloud: \(Self.allowCommand(host: url.host, port: port)) on the machine that holds its database.")
        }
    }

    /// A secrets manager's address, by name: https to any host; http only to a host the list admits.
    public func checkServiceAddress(_ address: String, what: String) throws(HostRefusal) {
        guard let (scheme, host, port) = Self.split(address) else {
            throw HostRefusal("\(what) '\(address)' is not an http(s)://host[:port] address.")
        }
        try checkName(host, port: port, what: "\(what) \(address)")
        guard scheme == "https" || pattern(admitting: host, port: port) != nil else {
            throw HostRefusal("\(what) \(address) uses http://, which is accepted only for a host on the operator's allow-list (\(description)); use https://.",
                hint: "For a local test server, the operator admits it with \(Self.allowCommand(host: host, port: port)).")
        }
    }

    /// A secrets manager's address right before a request: its form, then every address its host resolves to.
    public func checkServiceAddressBeforeRequest(_ address: String, what: String, resolver: any HostNameResolver) async throws(HostRefusal) {
        try checkServiceAddress(address, what: what)
        guard let (_, host, port) = Self.split(address) else { return }
        try await resolveAndCheck(host: host, port: port, resolver: resolver)
    }

    /// After resolution: no address may be link-local or metadata; a loopback or private one only for a host the list admits.
    public func checkAddresses(_ addresses: [HostAddress], host: String, port: Int) throws(HostRefusal) {
        let admitted = pattern(admitting: host, port: port)
        for address in addresses {
            switch address.reach {
            case .publicInternet: continue
            case .forbidden(let what):
                throw HostRefusal("\(host) resolves to \(address), \(what), which this service never connects to.")
            case .privateNetwork(let what):
                guard admitted == nil else { continue }
                throw HostRefusal("\(host) resolves to \(address), \(what), which is reached only when the operator's tenant host allow-list admits the host; "
                    + "it admits \(description).", hint: "The operator of this service admits it with \(Self.allowCommand(host: host, port: port)).")
            }
        }
    }

    /// Resolves `host` as the request would and checks every address it gives: what runs right before a request.
    /// - Returns: the addresses, in the resolver's order: a caller that can connect to one of them (pin it) should.
    @discardableResult
    public func resolveAndCheck(host: String, port: Int, resolver: any HostNameResolver) async throws(HostRefusal) -> [HostAddress] {
        try checkName(host, port: port, what: host)
        let addresses: [HostAddress]
        if let literal = HostAddress(literal: host) {
            addresses = [literal]
        } else {
            addresses = try await resolver.addresses(of: host, port: port)
            guard !addresses.isEmpty else { throw HostRefusal("\(host) resolves to no IPv4 or IPv6 address.") }
        }
        try checkAddresses(addresses, host: host, port: port)
        return addresses
    }

    /// Names refused whatever they resolve to.
    private func checkName(_ host: String, port: Int, what: String) throws(HostRefusal) {
        if let why = Self.forbiddenName(host) { throw HostRefusal("\(what) names \(why).") }
        if let literal = HostAddress(literal: host), case .forbidden(let reach) = literal.reach {
            throw HostRefusal("\(what) names \(literal), \(reach), which this service never connects to.")
        }
    }

    /// Scheme, host (brackets kept for IPv6) and effective port of an http(s) address; nil when it is not one.
    static func split(_ address: String) -> (scheme: String, host: String, port: Int)? {
        guard let separator = address.range(of: "://") else { return nil }
        let scheme = address[..<separator.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else { return nil }
        let rest = address[separator.upperBound...]
        let authority = rest[..<(rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex)]
        guard !authority.contains("@"), !authority.isEmpty else { return nil }
        var host = Substring(authority)
        var port = scheme == "https" ? 443 : 80
        if let colon = authority.lastIndex(of: ":"), !authority.hasPrefix("[") || authority[..<colon].hasSuffix("]") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            host = authority[..<colon]
            port = number
        }
        guard !host.isEmpty else { return nil }
        return (scheme, String(host), port)
    }
}
