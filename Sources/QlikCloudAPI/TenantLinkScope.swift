import Foundation

/// Where links the tenant hands back may lead: the Base URL's exact origin
/// (scheme, host, effective port) and its path. Every request carries the
/// bearer, so a page's `links.next.href` or an upload's `Location` becomes a
/// request only inside this scope; anything else is refused before a
/// connection is opened (the allow-list admitted the Base URL, not the link).
struct TenantLinkScope: Sendable {
    let scheme: String
    let host: String
    let port: Int
    /// The Base URL's path without a trailing slash: "" for a tenant's address.
    let path: String
    /// The Base URL as requests spell it, without a trailing slash.
    let base: String

    init?(baseURL: String) {
        guard let components = URLComponents(string: baseURL), let scheme = components.scheme?.lowercased(),
              let port = Self.effectivePort(scheme: scheme, port: components.port), let host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = port
        path = components.percentEncodedPath.hasSuffix("/") ? String(components.percentEncodedPath.dropLast()) : components.percentEncodedPath
        base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    var origin: String { "\(scheme)://\(Self.bracketed(host)):\(port)" }

    /// The URL to request for `link` (absolute, protocol-relative, or relative to the Base URL),
    /// rebuilt on the Base URL's own spelling so the request cannot go anywhere the check did not see.
    func url(for link: String, operation: String) throws(QlikAPIError) -> String {
        guard let parsed = URLComponents(string: link) else {
            throw refusal(operation, "The tenant handed back a link that is not a well-formed URL, so it was not followed.")
        }
        let absolute: String
        if parsed.scheme != nil {
            absolute = link
        } else if link.hasPrefix("//") {
            absolute = scheme + ":" + link
        } else if link.hasPrefix("/") {
            absolute = origin + link
        } else {
            absolute = base + "/" + link
        }
        guard let components = URLComponents(string: absolute), let linkScheme = components.scheme?.lowercased(),
              let linkHost = components.host?.lowercased() else {
            throw refusal(operation, "The tenant handed back a link that is not a well-formed URL, so it was not followed.")
        }
        let linkPort = Self.effectivePort(scheme: linkScheme, port: components.port)
        guard linkScheme == scheme, linkHost == host, linkPort == port, components.user == nil, components.password == nil else {
            // The other origin is named from the link itself; nothing was sent there, so nothing it would answer is quoted.
            let named = linkPort.map { "\(linkScheme)://\(Self.bracketed(linkHost)):\($0)" } ?? "\(linkScheme)://\(Self.bracketed(linkHost))"
            throw refusal(operation, "The tenant handed back a link to another origin (\(named)); only links to \(origin) are followed, so no request was sent there.")
        }
        let linkPath = components.percentEncodedPath
        // '.' and '..' (also percent-encoded) would leave the Base URL's path once the server resolves them.
        let climbs = linkPath.split(separator: "/", omittingEmptySubsequences: false).contains { segment in
            let decoded = String(segment).removingPercentEncoding ?? String(segment)
            return decoded == "." || decoded == ".."
        }
        guard !climbs, path.isEmpty || linkPath == path || linkPath.hasPrefix(path + "/") else {
            throw refusal(operation, "The tenant handed back a link that leads outside \(base), so it was not followed.")
        }
        let query = components.percentEncodedQuery.map { "?" + $0 } ?? ""
        return base + String(linkPath.dropFirst(path.count)) + query
    }

    private func refusal(_ operation: String, _ message: String) -> QlikAPIError {
        QlikAPIError(kind: .unexpectedResponse, operation: operation, message: message,
                     hint: "A tenant's links name its own address; check that the Base URL is the tenant's address, and whether something between rewrites the tenant's answers.")
    }

    private static func effectivePort(scheme: String, port: Int?) -> Int? {
        if let port { return port }
        switch scheme {
        case "https": return 443
        case "http": return 80
        default: return nil
        }
    }

    private static func bracketed(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }
}
