public import Foundation

/// The proxy settings of the environment, as curl and most tools read them:
/// `HTTPS_PROXY` (or `https_proxy`) for https, `HTTP_PROXY` for http, and
/// `NO_PROXY` (comma-separated host suffixes, `*` for all) to bypass them.
public struct ProxyEnvironment: Sendable, Equatable {
    public struct Server: Sendable, Equatable, CustomStringConvertible {
        public let host: String
        public let port: Int
        /// user:password from the proxy URL, for Proxy-Authorization: Basic.
        let credentials: String?

        public var description: String { "\(host):\(port)" }
    }

    let httpsProxy: String?
    let httpProxy: String?
    let noProxy: [String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func value(_ name: String) -> String? {
            (environment[name] ?? environment[name.lowercased()]).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        }
        httpsProxy = value("HTTPS_PROXY")
        httpProxy = value("HTTP_PROXY")
        noProxy = (value("NO_PROXY") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    /// The proxy to use for `host` over `scheme`, nil to connect directly.
    public func proxy(forHost host: String, scheme: String) throws(TransportFailure) -> Server? {
        guard let raw = scheme == "https" ? httpsProxy : httpProxy, !bypasses(host) else { return nil }
        return try Self.parse(raw)
    }

    func bypasses(_ host: String) -> Bool {
        let host = host.lowercased()
        return noProxy.contains { entry in
            if entry == "*" { return true }
            let suffix = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            let bare = suffix.split(separator: ":").first.map(String.init) ?? suffix
            return host == bare || host.hasSuffix("." + bare)
        }
    }

    static func parse(_ raw: String) throws(TransportFailure) -> Server {
        var text = raw
        if let range = text.range(of: "://") {
            let scheme = text[..<range.lowerBound].lowercased()
            guard scheme == "http" else {
                throw TransportFailure.proxy("the proxy '\(Self.redacted(raw))' uses \(scheme)://; only http:// proxies (with CONNECT tunnels) are supported")
            }
            text = String(text[range.upperBound...])
        }
        if let slash = text.firstIndex(of: "/") { text = String(text[..<slash]) }
        var credentials: String?
        if let at = text.lastIndex(of: "@") {
            credentials = String(text[..<at]).removingPercentEncoding
            text = String(text[text.index(after: at)...])
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard let host = parts.first, !host.isEmpty, parts.count <= 2 else {
            throw TransportFailure.proxy("'\(Self.redacted(raw))' is not a proxy address; expected http://host:port")
        }
        let port = parts.count == 2 ? Int(parts[1]) : 80
        guard let port, (1...65535).contains(port) else {
            throw TransportFailure.proxy("'\(Self.redacted(raw))' has no valid port; expected http://host:port")
        }
        return Server(host: String(host), port: port, credentials: credentials)
    }

    /// The proxy URL without its password, for messages.
    static func redacted(_ raw: String) -> String {
        guard let at = raw.lastIndex(of: "@") else { return raw }
        let start = raw.range(of: "://")?.upperBound ?? raw.startIndex
        return String(raw[..<start]) + "***@" + String(raw[raw.index(after: at)...])
    }
}
