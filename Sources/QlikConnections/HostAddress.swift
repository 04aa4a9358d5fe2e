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
        /// This machine or a private network (loopback, unspecified, RFC 1918, CGNAT, unique local, local-use NAT64):
        /// reached only when the operator's allow-list names the host.
        case privateNetwork(String)
        /// Link-local, cloud metadata, multicast, broadcast and reserved addresses: never reached, whatever the list says.
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

    /// 4 or 16 bytes in network order, as the resolver gives them.
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 4 || bytes.count == 16, "an IP address has 4 or 16 bytes")
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

    /// What the address reaches. IPv6 forms that carry an IPv4 address (IPv4-compatible, IPv4-mapped and -translated,
    /// 6to4, NAT64, Teredo) reach what that address reaches, so they are classified by it.
    public var reach: Reach {
        if bytes.count == 4 { return Self.reach(ipv4: bytes) }
        let b = bytes
        if b[0..<15].allSatisfy({ $0 == 0 }) && (b[15] == 0 || b[15] == 1) {
            // Connecting to :: reaches this machine, as 0.0.0.0 does.
            return .privateNetwork(b[15] == 1 ? "the loopback address" : "the unspecified address (this machine)")
        }
        if b[0] == 0xFF { return .forbidden("a multicast address (ff00::/8)") }
        if b[0] == 0xFE && (b[1] & 0xC0) == 0x80 { return .forbidden("an IPv6 link-local address (fe80::/10)") }
        // AWS: the IPv6 instance metadata service (fd00:ec2::254) and EKS Pod Identity (fd00:ec2::23) sit in fd00:ec2::/32.
        if b[0..<4].elementsEqual([0xFD, 0x00, 0x0E, 0xC2]) { return .forbidden("an AWS metadata address (fd00:ec2::/32)") }
        // Google Compute Engine's metadata server over IPv6.
        if b == [0xFD, 0x20, 0x00, 0xCE] + Array(repeating: 0, count: 10) + [0x02, 0x54] {
            return .forbidden("the Google Cloud metadata address fd20:ce::254")
        }
        if let (form, embedded) = Self.embeddedIPv4(b) {
            return switch embedded.reach {
            case .publicInternet: .publicInternet
            case .privateNetwork(let what): .privateNetwork("\(form) for \(embedded), \(what)")
            case .forbidden(let what): .forbidden("\(form) for \(embedded), \(what)")
            }
        }
        // Local-use NAT64 (RFC 8215): the translator's prefix length is not known here, so every RFC 6052 layout is read;
        // it is forbidden when any of them embeds a forbidden address, and private otherwise (the prefix is local by definition).
        if b[0..<6].elementsEqual([0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01]) {
            for layout in [[6, 7, 9, 10], [7, 9, 10, 11], [9, 10, 11, 12], [12, 13, 14, 15]] {
                let embedded = HostAddress(bytes: layout.map { b[$0] })
                if case .forbidden(let what) = embedded.reach {
                    return .forbidden("a local-use NAT64 address (64:ff9b:1::/48) that can carry \(embedded), \(what)")
                }
            }
            return .privateNetwork("a local-use NAT64 address (64:ff9b:1::/48)")
        }
        if (b[0] & 0xFE) == 0xFC { return .privateNetwork("a private (unique local) IPv6 address") }
        if b[0] == 0xFE && (b[1] & 0xC0) == 0xC0 { return .privateNetwork("a site-local IPv6 address") }
        return .publicInternet
    }

    /// The IPv4 address an IPv6 address carries, with the name of its form; nil for other addresses.
    static func embeddedIPv4(_ b: [UInt8]) -> (form: String, address: HostAddress)? {
        func v4(_ range: Range<Int>, flipped: Bool = false) -> HostAddress { HostAddress(bytes: b[range].map { flipped ? ~$0 : $0 }) }
        let zero = { (range: Range<Int>) in b[range].allSatisfy { $0 == 0 } }
        if zero(0..<10) && b[10] == 0xFF && b[11] == 0xFF { return ("an IPv4-mapped address (::ffff:0:0/96)", v4(12..<16)) }
        if zero(0..<8) && b[8] == 0xFF && b[9] == 0xFF && zero(10..<12) { return ("an IPv4-translated address (::ffff:0:0:0/96)", v4(12..<16)) }
        if zero(0..<12) { return ("an IPv4-compatible address (::/96)", v4(12..<16)) }
        if b[0..<12].elementsEqual([0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]) { return ("a NAT64 address (64:ff9b::/96)", v4(12..<16)) }
        if b[0] == 0x20 && b[1] == 0x02 { return ("a 6to4 address (2002::/16)", v4(2..<6)) }
        // Teredo: traffic goes to the client, whose address is stored with every bit inverted.
        if b[0..<4].elementsEqual([0x20, 0x01, 0x00, 0x00]) { return ("a Teredo address (2001::/32)", v4(12..<16, flipped: true)) }
        return nil
    }

    private static func reach(ipv4 b: [UInt8]) -> Reach {
        // Cloud metadata services outside 169.254.0.0/16: Alibaba Cloud's (inside the shared range below) and Azure's WireServer.
        if b == [100, 100, 100, 200] { return .forbidden("the Alibaba Cloud metadata address 100.100.100.200") }
        if b == [168, 63, 129, 16] { return .forbidden("the Azure platform (WireServer) address 168.63.129.16") }
        switch (b[0], b[1]) {
        case (169, 254): return .forbidden("a link-local address (169.254.0.0/16, where cloud metadata services answer)")
        case (224...239, _): return .forbidden("a multicast address (224.0.0.0/4)")
        case (240..., _): return .forbidden("a reserved or broadcast address (240.0.0.0/4, 255.255.255.255)")
        case (127, _): return .privateNetwork("a loopback address")
        // Connecting to 0.0.0.0 (or anything in 0.0.0.0/8) reaches this machine on Linux.
        case (0, _): return .privateNetwork("the unspecified address (0.0.0.0/8, which reaches this machine)")
        case (10, _), (172, 16...31), (192, 168): return .privateNetwork("a private network address")
        case (100, 64...127): return .privateNetwork("a shared (carrier-grade NAT) address")
        case (192, 0) where b[2] == 0: return .privateNetwork("an IETF protocol address (192.0.0.0/24)")
        case (198, 18...19): return .privateNetwork("a benchmarking network address (198.18.0.0/15)")
        default: return .publicInternet
        }
    }
}
