#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOPosix
public import QlikConnections

/// Every address a host name resolves to, through the system's resolver (getaddrinfo), which is the one the
/// HTTP client uses after it: what the outgoing checks classify.
///
/// getaddrinfo blocks for as long as DNS takes: it runs on NIO's blocking-I/O thread pool, never on a thread of
/// the Swift concurrency pool, where two slow lookups on two cores would stop every other task.
public struct SystemHostResolver: HostNameResolver {
    /// The blocking lookup: getaddrinfo, or a test's stand-in that blocks as a slow DNS server would.
    let lookUp: @Sendable (_ name: String, _ shownAs: String, _ port: Int) -> Result<[HostAddress], HostRefusal>

    public init() { lookUp = Self.systemLookUp }

    init(blockingLookUp: @escaping @Sendable (_ name: String, _ shownAs: String, _ port: Int) -> Result<[HostAddress], HostRefusal>) {
        lookUp = blockingLookUp
    }

    public func addresses(of host: String, port: Int) async throws(HostRefusal) -> [HostAddress] {
        var name = host
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        let lookup = name, blocking = lookUp
        let result: Result<[HostAddress], HostRefusal>
        do {
            result = try await NIOThreadPool.singleton.runIfActive { blocking(lookup, host, port) }
        } catch {
            throw HostRefusal("\(host) could not be resolved: the resolver's thread pool is not running (\(error)).")
        }
        return try result.get()
    }

    private static func systemLookUp(_ name: String, shownAs host: String, port: Int) -> Result<[HostAddress], HostRefusal> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(HostRefusal("\(host) does not resolve to any address (\(String(cString: gai_strerror(status)))).",
                                        hint: "Check the host name (for a Qlik Cloud tenant, its tenant name and region) and that this machine's DNS resolves it."))
        }
        defer { freeaddrinfo(list) }
        var found: [HostAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                let bytes: [UInt8]? = switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { withUnsafeBytes(of: $0.pointee.sin_addr) { Array($0) } }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) } }
                default: nil
                }
                if let bytes, case let resolved = HostAddress(bytes: bytes), !found.contains(resolved) { found.append(resolved) }
            }
            cursor = entry.pointee.ai_next
        }
        guard !found.isEmpty else { return .failure(HostRefusal("\(host) resolves to no IPv4 or IPv6 address.")) }
        return .success(found)
    }
}
