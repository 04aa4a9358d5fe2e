public import HostResolution
public import QlikCloudAPI
public import QlikConnections

/// The check that runs right before the first request to a tenant (Test Connection, discover, read, write, reload,
/// Airbyte): the host must be a Qlik Cloud tenant or on the operator's allow-list, and every address it resolves to
/// must be one this service may reach. Read at use time, so a host taken off the list stops working at once.
///
/// Its answer carries the transport settings to use from then on: the host pinned to an address just checked
/// (REST requests and the TLS probe connect there and never resolve the name again), and the check the engine's
/// WebSocket repeats before each session, since that client cannot be pinned.
public enum TenantHostCheck {
    public struct Checked: Sendable {
        /// The addresses the host resolves to, or nil when a proxy resolves it (only its name is checked then).
        public let addresses: [HostAddress]?
        /// The settings given, with the pinned address and the engine's check.
        public let settings: TransportSettings
    }

    public static func beforeRequests(to tenant: TenantURL, hosts: TenantHostPolicy, settings: TransportSettings,
                                      resolver: any HostNameResolver = SystemHostResolver()) async throws(HostRefusal) -> Checked {
        try hosts.checkTenant(tenant)
        let port = tenant.effectivePort
        let proxied: Bool
        do { proxied = try settings.proxies.proxy(forHost: tenant.host, scheme: tenant.scheme) != nil } catch {
            throw HostRefusal("The proxy settings for \(tenant.host) cannot be read: \(error).")
        }
        var checked = settings
        checked.addressCheck = AddressCheck(hosts: hosts, resolver: resolver)
        // Through a proxy, the proxy resolves the name; a literal address is still classified here.
        if proxied {
            guard let literal = HostAddress(literal: tenant.host) else { return Checked(addresses: nil, settings: checked) }
            try hosts.checkAddresses([literal], host: tenant.host, port: port)
            return Checked(addresses: [literal], settings: checked)
        }
        let addresses = try await hosts.resolveAndCheck(host: tenant.host, port: port, resolver: resolver)
        if HostAddress(literal: tenant.host) == nil, let pinned = pinnable(addresses) {
            checked.pinnedAddresses[tenant.host] = pinned.description
        }
        return Checked(addresses: addresses, settings: checked)
    }

    /// The one address connections go to (the HTTP client takes one): the first IPv4 one when there is any, since a
    /// machine without an IPv6 route would otherwise fail where the client used to fall back; else the first.
    static func pinnable(_ addresses: [HostAddress]) -> HostAddress? {
        addresses.first { $0.bytes.count == 4 } ?? addresses.first
    }
}
