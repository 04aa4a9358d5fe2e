import Foundation
import Hummingbird
import QlikConnections
import Repository
import Secrets
import UseCases
import ConnectorAPI

/// Who am I, my organization, my personal API tokens, and the audit trail.
extension ConnectorService {
    struct OrganizationChange: Decodable {
        let name: String?
        /// No longer an organization's setting: given, the request is refused and says who admits hosts now.
        let allowCustomTenantHosts: Bool?
        /// `{"kind": "none"}` removes it.
        let secretsManager: ManagerChange?
        /// The manager's own credentials to keep (sealed), by field; `{}` keeps none (the environment serves). Write-only.
        let secretsManagerCredentials: [String: String]?
    }

    struct ManagerChange: Decodable {
        let kind: String
        let region: String?
        let endpoint: String?
        let address: String?
        let mount: String?

        /// The settings asked for, refused in the API's words: the field as `secretsManager.<field>`.
        func settings() throws -> SecretsManagerSettings? {
            do {
                return try SecretsManagerChoice(kind: kind, region: region, endpoint: endpoint, address: address, mount: mount).settings()
            } catch let refusal as SecretsManagerChoice.Refusal {
                switch refusal {
                case .stray(let stray, let belongs):
                    throw APIError.invalid("secretsManager.\(stray.rawValue)", "secretsManager.\(stray.rawValue) does not go with kind '\(kind)', which takes "
                        + (belongs.isEmpty ? "nothing else." : belongs.map(\.rawValue).joined(separator: " and ") + "."))
                case .missing(.region): throw APIError.invalid("secretsManager.region", "An AWS secrets manager needs region, such as eu-west-1.")
                case .missing(let field):
                    throw APIError.invalid("secretsManager.\(field.rawValue)", "A Vault needs \(field.rawValue), such as https://vault.example.com:8200.")
                case .unknownKind: throw APIError.invalid("secretsManager.kind", "kind is '\(kind)'; expected none, aws or vault.")
                }
            }
        }
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
            let id = try context.requirePrincipal().organizationID
            return try ServiceJSON.response(OrganizationView(try await repository.organization(id),
                                                             managerCredentials: Array(try await repository.secretsManagerCredentials(of: id).keys)))
        }
        api.patch("organization") { request, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.admin)
            let change = try await request.decodeJSON(OrganizationChange.self)
            let organization = try await repository.organization(principal.organizationID)
            var asked = UseCases.OrganizationChange()
            if let name = change.name {
                let name = try OrganizationName(name)
                // The name is the operator's handle for the organization (the CLI's --org), unique in the service: a rename
                // here would answer "taken" for another organization's name. A change of letter case only is no rename.
                guard name.comparisonKey == organization.name.comparisonKey else {
                    throw APIError(.forbidden, code: "name_set_by_operator",
                                   "An organization's name is set by the service's operator, as it names the organization for the whole service; "
                                       + "ask them to run: qlik-connector org set --org '\(organization.name)' --name '\(name.value)'.",
                                   field: "name")
                }
                asked.name = name
            }
            if change.allowCustomTenantHosts != nil {
                throw APIError(.unprocessableContent, code: "tenant_hosts_set_by_operator",
                               "allowCustomTenantHosts is no longer an organization setting: hosts outside Qlik Cloud are admitted only by the operator "
                                   + "of this service, on its tenant host allow-list ('qlik-connector hosts allow HOST:PORT' on the machine that holds "
                                   + "the database). Leave the field out.", field: "allowCustomTenantHosts")
            }
            if let manager = change.secretsManager { asked.secretsManager = .some(try manager.settings()) }
            asked.managerCredentials = try change.secretsManagerCredentials.map(Self.managerCredentials)
            let changed = try await OrganizationSettings(repository: repository, keys: SealingKeys(service.keys))
                .change(organization, asked, by: service.actor(principal))
            return try ServiceJSON.response(OrganizationView(changed.organization, managerCredentials: changed.managerCredentials))
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

    /// The secrets manager credentials of a request, by field; a name that is no such field, or an empty value, is refused.
    static func managerCredentials(_ given: [String: String]) throws -> [SecretsManagerField: Secret] {
        var values: [SecretsManagerField: Secret] = [:]
        for (name, value) in given {
            guard let field = SecretsManagerField(rawValue: name) else {
                throw APIError.invalid("secretsManagerCredentials.\(name)",
                                       "'\(name)' is not a secrets manager credential; expected \(SecretsManagerField.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            guard let secret = Secret(value) else { throw APIError.invalid("secretsManagerCredentials.\(name)", "\(field.label) is empty.") }
            values[field] = secret
        }
        return values
    }
}
