public import QlikCloudAPI
public import QlikConnections

/// The check that runs right before the first request to a tenant (Test Connection, discover, read, write, reload,
/// Airbyte): the host must be a Qlik Cloud tenant or on the operator's allow-list, and every address it resolves to
/// must be one this service may reach. Read at use time, so a host taken off the list stops working at once.
public enum TenantHostCheck {
    /// - Returns: the addresses the host resolves to, or nil when a proxy resolves it (only its name is checked then).
    @discardableResult
    public static func beforeRequests(to tenant: TenantURL, hosts: TenantHostPolicy, settings: TransportSettings) async throws(HostRefusal) -> [HostAddress]? {
        try hosts.checkTenant(tenant)
        let port = tenant.port ?? (tenant.scheme == "https" ? 443 : 80)
        let proxied: Bool
        do { proxied = try settings.proxies.proxy(forHost: tenant.host, scheme: tenant.scheme) != nil } catch {
            throw HostRefusal("The proxy settings for \(tenant.host) cannot be read: \(error).")
        }
        // Through a proxy, the proxy resolves the name; a literal address is still classified here.
        if proxied {
            guard let literal = HostAddress(literal: tenant.host) else { return nil }
            try hosts.checkAddresses([literal], host: tenant.host, port: port)
            return [literal]
        }
        return try await hosts.resolveAndCheck(host: tenant.host, port: port)
    }
}
