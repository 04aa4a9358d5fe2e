import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address in canonical text, with what kind of network it reaches.
///
/// Hosts are normalised before they are matched or classified, so that
/// `2130706433`, `0x7f.1`, `017700000001` and `[::ffff:127.0.0.1]` are all
/// seen as the `127.0.0.1` they reach (the C library accepts every one of them).
public struct HostAddress: Hashable, Sendable, CustomStringConvertible {
    /// How far an address reaches.
    public enum Reach: Hashable, Sendable {
        /// The internet.
        case publicInternet
        /// This machine or a private network (loopback, RFC 1918, CGNAT, unique local, unspecified, multicast):
        /// reached only when the operator's allow-list names the host.
        case privateNetwork(String)
        /// Link-local and cloud metadata addresses: never reached, whatever the list says.
        case forbidden(String)
    }

    /// 4 bytes (IPv4) or 16 (IPv6).
    public let bytes: [UInt8]

    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return bytes.map { String($0, radix: 16) }.joined(separator: ":") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The text a host pattern or URL uses for it: IPv6 in brackets.
    public var hostText: String { bytes.count == 4 ? description : "[\(description)]" }

    init(bytes: [UInt8]) {
        // An IPv4-mapped IPv6 address reaches the IPv4 one: one form for both.
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            self.bytes = Array(bytes[12...])
        } else {
            self.bytes = bytes
        }
    }

    /// The address a host names literally, in any form the C library accepts
    /// (dotted, integer, hex, octal, shortened dots; IPv6 with or without brackets); nil for a name.
    public init?(literal host: String) {
        var text = Substring(host)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if text.contains(":") {
            var address = in6_addr()
            // A zone ("%eth0") is never part of a tenant's address.
            guard !text.contains("%"), inet_pton(AF_INET6, String(text), &address) == 1 else { return nil }
            self.init(bytes: withUnsafeBytes(of: &address) { Array($0) })
            return
        }
        guard let bytes = Self.ipv4(text) else { return nil }
        self.init(bytes: bytes)
    }

    /// IPv4 as inet_aton reads it: one to four parts, each decimal, 0x hex or 0-led octal, the last filling the remaining bytes.
    static func ipv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            let lower = part.lowercased()
            let value: UInt64?
            if lower.hasPrefix("0x") {
                value = lower.count == 2 ? 0 : UInt64(lower.dropFirst(2), radix: 16)
            } else if lower.count > 1, lower.hasPrefix("0") {
                value = UInt64(lower.dropFirst(), radix: 8)
            } else {
                value = lower.allSatisfy(\.isASCII) ? UInt64(lower, radix: 10) : nil
            }
            guard let value else { return nil }
            values.append(value)
        }
        let leading = values.dropLast()
        guard leading.allSatisfy({ $0 <= 255 }), let last = values.last else { return nil }
        let lastBytes = 4 - leading.count
        guard last < (UInt64(1) << (8 * UInt64(lastBytes))) else { return nil }
        var bytes = leading.map { UInt8($0) }
        for shift in stride(from: lastBytes - 1, through: 0, by: -1) { bytes.append(UInt8((last >> (8 * UInt64(shift))) & 0xFF)) }
        return bytes
    }

    /// What the address reaches.
    public var reach: Reach {
        if bytes.count == 4 { return Self.reach(ipv4: bytes) }
        let b = bytes
        if b[0] == 0xFE && (b[1] & 0xC0) == 0x80 { return .forbidden("an IPv6 link-local address (fe80::/10)") }
        // AWS's IPv6 instance metadata service.
        if b == [0xFD, 0x00, 0x0E, 0xC2] + Array(repeating: 0, count: 10) + [0x02, 0x54] {
            return .forbidden("the AWS instance metadata address fd00:ec2::254")
        }
        // NAT64 reaches the IPv4 address it embeds.
        if b[0..<12].elementsEqual([0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]) { return Self.reach(ipv4: Array(b[12...])) }
        if b[0..<15].allSatisfy({ $0 == 0 }) && (b[15] == 0 || b[15] == 1) { return .privateNetwork(b[15] == 1 ? "the loopback address" : "the unspecified address") }
        if b[0..<12].allSatisfy({ $0 == 0 }) { return .privateNetwork("an IPv4-compatible IPv6 address") }
        if (b[0] & 0xFE) == 0xFC { return .privateNetwork("a private (unique local) IPv6 address") }
        if b[0] == 0xFE && (b[1] & 0xC0) == 0xC0 { return .privateNetwork("a site-local IPv6 address") }
        if b[0] == 0xFF { return .privateNetwork("a multicast address") }
        return .publicInternet
    }

    private static func reach(ipv4 b: [UInt8]) -> Reach {
        switch (b[0], b[1]) {
        case (169, 254): return .forbidden("a link-local address (169.254.0.0/16, where cloud metadata services answer)")
        case (127, _): return .privateNetwork("a loopback address")
        case (0, _): return .privateNetwork("the unspecified address (this machine)")
        case (10, _), (172, 16...31), (192, 168): return .privateNetwork("a private network address")
        case (100, 64...127): return .privateNetwork("a shared (carrier-grade NAT) address")
        case (224..., _): return .privateNetwork("a multicast or reserved address")
        default: return .publicInternet
        }
    }
}
