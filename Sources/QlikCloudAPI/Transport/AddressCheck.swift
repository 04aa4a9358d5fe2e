public import QlikConnections

/// The address check a connection repeats right before it opens, where the library that opens it resolves the
/// name itself and cannot be given a checked address: the engine's WebSocket. Carried in ``TransportSettings``.
public struct AddressCheck: Sendable {
    /// The operator's allow-list as read for this task.
    public let hosts: TenantHostPolicy
    public let resolver: any HostNameResolver

    public init(hosts: TenantHostPolicy, resolver: any HostNameResolver) {
        self.hosts = hosts
        self.resolver = resolver
    }

    /// Resolves `host` and checks every address, as the check before a task's first request does.
    func beforeConnecting(to host: String, port: Int) async throws(HostRefusal) {
        try await hosts.resolveAndCheck(host: host, port: port, resolver: resolver)
    }
}
