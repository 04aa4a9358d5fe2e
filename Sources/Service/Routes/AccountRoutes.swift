import Foundation
import Hummingbird
import QlikConnections
import Repository
import Secrets
import UseCases
import ConnectorAPI

/// The caller's organization: everyone reads it; administrators change it. (Who am I, personal API tokens and the audit
/// trail are served by the generated server: API/GeneratedAPI+Account.swift.)
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

    func addAccountRoutes(to api: RouterGroup<ServiceContext>) {
        let service = self
        let repository = self.repository
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
