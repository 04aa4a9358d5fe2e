#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every address a host name resolves to, through the system's resolver (getaddrinfo),
/// which is the one the HTTP client uses after it: what the outgoing checks classify.
enum HostResolver {
    static func addresses(of host: String, port: Int) async throws(HostRefusal) -> [HostAddress] {
        var name = host
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        // A blocking call, as short as the lookup: this module has no thread pool of its own, and a request waits for it anyway.
        let status = getaddrinfo(name, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw HostRefusal("\(host) does not resolve to any address (\(String(cString: gai_strerror(status)))).",
                              hint: "Check the host name (for a Qlik Cloud tenant, its tenant name and region) and that this machine's DNS resolves it.")
        }
        defer { freeaddrinfo(list) }
        var found: [HostAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    let bytes = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
                    }
                    found.append(HostAddress(bytes: bytes))
                case AF_INET6:
                    let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                    }
                    found.append(HostAddress(bytes: bytes))
                default: break
                }
            }
            cursor = entry.pointee.ai_next
        }
        var unique: [HostAddress] = []
        for address in found where !unique.contains(address) { unique.append(address) }
        guard !unique.isEmpty else { throw HostRefusal("\(host) resolves to no IPv4 or IPv6 address.") }
        return unique
    }
}
