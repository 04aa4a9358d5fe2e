import Foundation
public import NIOCore

/// The reverse proxies whose X-Forwarded-For the service believes (`serve --trusted-proxy CIDR`).
/// Behind a proxy every request comes from the proxy's address, so per-client counts (console
/// sign-in) would count all users together; but anyone can send the header, so it is read only
/// when the TCP peer is a trusted proxy, and then only as far as trusted proxies wrote it.
public struct TrustedProxies: Sendable, Hashable {
    public let ranges: [IPRange]

    /// No proxy trusted: X-Forwarded-For is ignored.
    public static let none = TrustedProxies(ranges: [])

    public init(ranges: [IPRange]) { self.ranges = ranges }

    /// Ranges as `serve --trusted-proxy` takes them; the first one that is not a CIDR refuses them all.
    public init(parsing cidrs: [String]) throws(TrustedProxyError) {
        var ranges: [IPRange] = []
        for cidr in cidrs { ranges.append(try IPRange(parsing: cidr)) }
        self.init(ranges: ranges)
    }

    /// The client a request counts against: the TCP peer, unless the peer is a trusted proxy; then the right-most
    /// X-Forwarded-For entry that is not itself a trusted proxy. Walked from the right because each proxy appends
    /// the address it saw: the entries left of the last trusted proxy's are whatever the client wrote, and a client
    /// that forges left-most entries changes nothing. An entry that is no IP address stops the walk at the hop that
    /// wrote it (counted as the client), so garbage never makes a new client either.
    /// - Parameter forwardedFor: every X-Forwarded-For field of the request, in order.
    public func client(peer: SocketAddress?, forwardedFor: [String]) -> SocketAddress? {
        guard let peer, let peerBytes = IPRange.bytes(of: peer), trusts(peerBytes) else { return peer }
        let entries = forwardedFor.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        var client = peer
        for entry in entries.reversed() {
            guard let address = Self.address(entry), let bytes = IPRange.bytes(of: address) else { break }
            client = address
            if !trusts(bytes) { break }
        }
        return client
    }

    func trusts(_ bytes: [UInt8]) -> Bool { ranges.contains { $0.contains(bytes) } }

    /// An X-Forwarded-For entry as an address: `203.0.113.7`, `2001:db8::1`, and with a port as some proxies write
    /// it (`203.0.113.7:5000`, `[2001:db8::1]:5000`).
    static func address(_ entry: String) -> SocketAddress? {
        if let plain = try? SocketAddress(ipAddress: entry, port: 0) { return plain }
        if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
            return try? SocketAddress(ipAddress: String(entry[entry.index(after: entry.startIndex)..<close]), port: 0)
        }
        let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        return try? SocketAddress(ipAddress: String(parts[0]), port: 0)
    }
}

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/8`, `::1/128`); a bare address is the network of that one address.
public struct IPRange: Sendable, Hashable, CustomStringConvertible {
    /// The network's address, 4 or 16 bytes in network order.
    let network: [UInt8]
    let prefixLength: Int
    public let description: String

    public init(parsing text: String) throws(TrustedProxyError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let expected = "expected an IPv4 or IPv6 network in CIDR notation, such as 10.0.0.0/8, 127.0.0.1/32 or ::1/128"
        guard let address = try? SocketAddress(ipAddress: String(parts[0]), port: 0), let bytes = Self.bytes(of: address, unmapping: false) else {
            throw TrustedProxyError(description: "--trusted-proxy '\(text)': '\(parts[0])' is not an IP address; \(expected).")
        }
        let bits = bytes.count * 8
        var length = bits
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...bits).contains(given) else {
                throw TrustedProxyError(description: "--trusted-proxy '\(text)': the prefix length '\(parts[1])' is not a number from 0 to \(bits); \(expected).")
            }
            length = given
        }
        let network = Self.masked(bytes, to: length)
        guard network == bytes else {
            // Most likely a typo for the network (or a host meant alone): either way, say which one this would trust.
            let networkText = Self.text(of: network)
            throw TrustedProxyError(description: "--trusted-proxy '\(text)': the address has bits set beyond the /\(length) prefix; "
                + "write the network '\(networkText)/\(length)', or '\(parts[0])/\(bits)' for that one address.")
        }
        self.network = network
        prefixLength = length
        description = "\(Self.text(of: network))/\(length)"
    }

    func contains(_ bytes: [UInt8]) -> Bool {
        bytes.count == network.count && Self.masked(bytes, to: prefixLength) == network
    }

    static func masked(_ bytes: [UInt8], to length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let kept = min(8, max(0, length - index * 8))
            return kept == 8 ? byte : byte & ~(UInt8(0xFF) >> kept)
        }
    }

    /// The address's bytes in network order; an IPv4-mapped IPv6 address (a dual-stack socket's IPv4 peer) as IPv4, so
    /// that IPv4 ranges match it.
    static func bytes(of address: SocketAddress, unmapping: Bool = true) -> [UInt8]? {
        switch address {
        case .v4(let v4): return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            if unmapping && bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes[12...]) }
            return bytes
        case .unixDomainSocket: return nil
        }
    }

    /// The address as NIO writes it (IPv6 in its short form).
    static func text(of bytes: [UInt8]) -> String {
        let address = try? SocketAddress(packedIPAddress: ByteBuffer(bytes: bytes), port: 0)
        return address?.ipAddress ?? bytes.map(String.init).joined(separator: ".")
    }
}

/// A `--trusted-proxy` value that is no CIDR: what was wrong and what is expected.
public struct TrustedProxyError: Error, Sendable, CustomStringConvertible {
    public let description: String
}
