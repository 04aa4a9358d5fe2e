import Foundation
public import Hummingbird
public import NIOCore
import QlikConnections

/// Each request's context: Hummingbird's core, plus who is calling.
public struct ServiceContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer, never a forwarded-for header (which the caller writes); sign-in reads one only from a trusted proxy (``TrustedProxies``).
    public let remoteAddress: SocketAddress?
    /// Set by ``TokenAuthentication`` on every `/api/v1` route.
    var principal: Principal?
    /// The console session's CSRF token, when the request came with a session cookie.
    var csrfToken: String?
    /// Set by ``AgentAuthentication`` on every `/api/v1/agent` route.
    var agent: Agent?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        principal = nil
        csrfToken = nil
        agent = nil
    }

    func requireAgent() throws(APIError) -> Agent {
        guard let agent else { throw APIError.unauthenticated("This route is for Secure Agents.") }
        return agent
    }

    /// A path parameter as the caller meant it: `Sales%20EU` is "Sales EU".
    func pathParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    func requirePrincipal() throws(APIError) -> Principal {
        guard let principal else { throw APIError.unauthenticated("Send 'Authorization: Bearer <personal API token>'.") }
        return principal
    }
}

/// The user a request acts as, and the token that proved it.
struct Principal: Sendable {
    let user: User
    /// The personal API token that proved it; nil for a console session.
    let tokenID: AccessTokenID?

    var organizationID: OrganizationID { user.organizationID }

    /// Refuses callers whose role does not reach `needed`.
    var canManageConnections: Bool { user.role.managesConnections }

    func require(_ needed: UserRole) throws(APIError) {
        let allowed = switch needed {
        case .admin: user.role.administers
        case .designer: user.role.managesConnections
        case .viewer: true
        }
        guard allowed else {
            throw APIError(.forbidden, code: "forbidden", "This needs the \(needed.rawValue) role; you are \(user.role.rawValue).")
        }
    }
}
