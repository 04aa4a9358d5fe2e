import Foundation
import Hummingbird
import QlikConnections
import Repository

/// Who am I, my organization, my personal API tokens, and the audit trail.
extension ConnectorService {
    struct OrganizationChange: Decodable {
        let name: String?
        let allowCustomTenantHosts: Bool?
    }

    struct TokenRequest: Decodable {
        let name: String
        /// Days until the token stops working; none: until revoked.
        let expiresInDays: Int?
    }

    func addAccountRoutes(to api: RouterGroup<ServiceContext>) {
        let service = self
        let repository = self.repository
        api.get("me") { _, context -> Response in
            try ServiceJSON.response(UserView(try context.requirePrincipal().user))
        }
        api.get("organization") { _, context -> Response in
            try ServiceJSON.response(OrganizationView(try await repository.organization(try context.requirePrincipal().organizationID)))
        }
        api.patch("organization") { request, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.admin)
            let change = try await request.decodeJSON(OrganizationChange.self)
            var organization = try await repository.organization(principal.organizationID)
            if let name = change.name { organization.name = try OrganizationName(name) }
            if let allow = change.allowCustomTenantHosts { organization.allowCustomTenantHosts = allow }
            try await repository.updateOrganization(organization, by: service.actor(principal))
            return try ServiceJSON.response(OrganizationView(organization))
        }
        api.get("tokens") { _, context -> Response in
            let principal = try context.requirePrincipal()
            return try ServiceJSON.response(try await repository.accessTokens(of: principal.user.id).map { AccessTokenView($0) })
        }
        api.post("tokens") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let asked = try await request.decodeJSON(TokenRequest.self)
            let (token, secret) = try await AccessTokenIssuer.issue(for: principal.user, name: asked.name, expiresInDays: asked.expiresInDays,
                                                                    in: repository, by: service.actor(principal))
            return try ServiceJSON.response(AccessTokenView(token, secret: secret), status: .created)
        }
        api.delete("tokens/:id") { _, context -> Response in
            let principal = try context.requirePrincipal()
            guard let id = UUID(uuidString: try context.pathParameter("id")) else { throw APIError.notFound("That token") }
            let token = try await repository.revokeAccessToken(AccessTokenID(id), of: principal.user.id, at: Date(), by: service.actor(principal))
            return try ServiceJSON.response(AccessTokenView(token))
        }
        api.get("audit-events") { request, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.admin)
            let limit = try request.integerQuery("limit") ?? 100
            guard (1...1000).contains(limit) else { throw APIError.invalid("limit", "limit is \(limit); expected 1 to 1000.") }
            let events = try await repository.auditEvents(of: principal.organizationID, limit: limit)
            return try ServiceJSON.response(events.map {
                AuditEventView(sequence: $0.sequence, at: $0.at, actor: $0.actor, action: $0.action, targetKind: $0.targetKind,
                               targetID: $0.targetID, targetName: $0.targetName)
            })
        }
    }
}
